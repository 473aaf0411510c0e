package io.sluice.decode.sflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.capture.CaptureReader;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.SkippedRecords;
import io.sluice.testing.Captures;
import io.sluice.testing.DecodeHarness;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A healthy hsflowd (host sFlow) agent sends flow records and samples sluice does not use (0:1043, one
 * per flow sample): they are counted as skipped by (enterprise, format), never as decode errors,
 * so an alert on decode errors stays quiet on a healthy fleet.
 */
class SflowHostSflowTest {

    @Test
    void hsflowdCaptureDecodesWithoutErrorsAndCountsWhatItSkips() throws Exception {
        Path capture = Captures.bench().resolve("hsflowd-sflow.pcap");
        int datagrams = CaptureReader.read(capture).size();
        DecodeHarness h = new DecodeHarness();
        int flows = h.feed(capture).size();
        DecodeStats stats = h.stats();
        SkippedRecords s = stats.skipped();
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < s.used(); i++) {
            seen.append(s.kind(i).label).append(' ').append(s.enterprise(i)).append(':').append(s.format(i))
                    .append('=').append(s.count(i)).append("; ");
        }
        System.out.println("hsflowd: " + datagrams + " datagrams, " + flows + " flows, skipped " + seen);
        assertEquals(908, datagrams);
        assertEquals(0, stats.totalErrors(), "a healthy hsflowd gives no decode error");
        assertEquals(5387, flows, "its flow samples still decode");
        assertEquals(5387, s.count(SkippedRecords.Kind.SFLOW_FLOW_RECORD, 1043), "one 0:1043 record per flow sample: " + seen);
        assertEquals(5387, s.total(), seen.toString());
        assertEquals(0, s.overflow());
    }
}

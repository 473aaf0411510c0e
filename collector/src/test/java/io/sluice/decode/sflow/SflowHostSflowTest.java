package io.sluice.decode.sflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.SkippedRecords;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.testing.Captures;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A healthy hsflowd (host sFlow) agent sends flow records and samples sluice does not use (0:1043, one
 * per flow sample): they are counted as skipped by (enterprise, format), never as decode errors,
 * so an alert on decode errors stays quiet on a healthy fleet.
 */
class SflowHostSflowTest {

    @Test
    void hsflowdCaptureDecodesWithoutErrorsAndCountsWhatItSkips() throws Exception {
        List<CapturedDatagram> datagrams = CaptureReader.read(Captures.bench().resolve("hsflowd-sflow.pcap"));
        VersionDispatch decoder = SflowCaptures.sflowOnly();
        DecodeStats stats = new DecodeStats();
        long[] flows = {0};
        FlowSink sink = new FlowSink() {
            @Override
            public void flow(FlowRecord f) {
                flows[0]++;
            }
        };
        Datagram d = new Datagram(0);
        for (CapturedDatagram c : datagrams) {
            d.buffer = ByteBuffer.wrap(c.payload());
            d.length = c.payload().length;
            d.setExporter(c.sourceAddress(), c.sourcePort());
            decoder.decode(d, sink, stats);
        }
        SkippedRecords s = stats.skipped();
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < s.used(); i++) {
            seen.append(s.kind(i).label).append(' ').append(s.enterprise(i)).append(':').append(s.format(i))
                    .append('=').append(s.count(i)).append("; ");
        }
        System.out.println("hsflowd: " + datagrams.size() + " datagrams, " + flows[0] + " flows, skipped " + seen);
        assertEquals(908, datagrams.size());
        assertEquals(0, stats.totalErrors(), "a healthy hsflowd gives no decode error");
        assertEquals(5387, flows[0], "its flow samples still decode");
        assertEquals(5387, s.count(SkippedRecords.Kind.SFLOW_FLOW_RECORD, 1043), "one 0:1043 record per flow sample: " + seen);
        assertEquals(5387, s.total(), seen.toString());
        assertEquals(0, s.overflow());
    }
}

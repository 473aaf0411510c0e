package io.sluice.cli;

import io.sluice.testing.CaptureReplay;
import io.sluice.testing.Captures;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `sluice decode` as an operator runs it: options, JSON lines, counts, errors. */
class DecodeMainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int decode(String... args) {
        return DecodeMain.main(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void templatesOfOneFileServeTheDataOfTheNext() {
        String dir = Captures.captures().resolve("akvorado/netflow").toString();
        int code = decode("--format", "json", dir + "/ipfixprobe-templates.pcap", dir + "/ipfixprobe-data.pcap");
        assertEquals(0, code, err.toString());
        List<Map<String, Object>> flows = CaptureReplay.parseLines(out.toString(StandardCharsets.UTF_8));
        assertEquals(6, flows.size(), "ipfixprobe: 4 records, 2 of them RFC 5103 biflows that also give a reverse flow: 6 flows, as Akvorado expects");
        assertTrue(flows.stream().allMatch(f -> "IPFIX".equals(f.get("type"))));
        assertTrue(err.toString().startsWith("decoded 2 datagrams, 6 flows; errors: none; waiting for a template: 0 data sets"), err.toString());
    }

    @Test
    void countSaysDatagramsFlowsAndErrors() {
        int code = decode("--count", Captures.bench().resolve("softflowd-nfv5.pcap").toString());
        assertEquals(0, code, err.toString());
        Map<String, Object> count = CaptureReplay.parseLines(out.toString(StandardCharsets.UTF_8)).get(0);
        assertEquals(6207, count.get("datagrams"));
        assertEquals(0, count.get("errors"));
        int flows = (Integer) count.get("flows");
        assertTrue(flows > 6207 * 29 - 30 && flows <= 6207 * 30, "29-30 flows per datagram, got " + flows);
    }

    @Test
    void badUsageExitsTwoWithAReason() {
        assertEquals(2, decode("--format", "csv", "x.pcap"));
        assertTrue(err.toString().contains("--format takes json"), err.toString());
        assertEquals(2, decode("--nope"));
        assertEquals(2, decode("/nonexistent/capture.pcap"));
        assertTrue(err.toString().contains("cannot read /nonexistent/capture.pcap"), err.toString());
        assertEquals(2, decode());
    }
}

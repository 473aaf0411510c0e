package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.cli.Replayer;
import io.sluice.config.SluiceConfig;
import io.sluice.testing.Captures;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * /exporters and /templates over real HTTP after a real router's NetFlow v9 session (Akvorado's
 * multiplesamplingrates captures: an options template, options data naming two samplers at 1:2000 and
 * 1:4000, a data template and data): the exporter lists both sampler rates with their source, and each
 * template its first and last seen; a refresh moves last seen, never first seen.
 */
class OperatorEndpointsTest {
    static List<byte[]> capture(String name) throws Exception {
        return CaptureReader.read(Captures.captures().resolve("akvorado/netflow/" + name + ".pcap")).stream()
                .map(CapturedDatagram::payload).toList();
    }

    @Test
    void exportersListSamplerRatesAndTemplatesTheirFirstAndLastSeen() throws Exception {
        List<byte[]> session = new ArrayList<>();
        for (String c : List.of("multiplesamplingrates-options-template", "multiplesamplingrates-options-data",
                "multiplesamplingrates-template", "multiplesamplingrates-data")) {
            session.addAll(capture(c));
        }
        SluiceConfig config = ExporterLossTest.config();
        try (SluiceService service = SluiceService.start(config)) {
            InetSocketAddress to = service.listenerAddress(0);
            String base = "http://127.0.0.1:" + service.metricsPort();
            long before = System.currentTimeMillis();
            Replayer.send(session, to, ExporterLossTest.source(51), 200, 1);
            ExporterLossTest.awaitDatagrams(base, session.size());
            long after = System.currentTimeMillis();

            JsonNode exporter = exporter(base, "127.0.0.51");
            Map<Long, String> samplers = new TreeMap<>();
            for (JsonNode s : exporter.get("sampling")) {
                assertEquals(9, s.get("version").asInt());
                assertEquals("sampler", s.get("scope").asText(), s.toString());
                samplers.put(s.get("sampler_id").asLong(), s.get("rate").asLong() + " " + s.get("source").asText());
            }
            assertEquals(Map.of(1L, "2000 sampler_table", 2L, "4000 sampler_table"), samplers,
                    "the options data's two samplers (tshark: sampler 1 1:2000, sampler 2 1:4000)");

            Map<Integer, long[]> seen = templates(base, "127.0.0.51");
            assertEquals(2, seen.size(), "the options template and the data template");
            for (long[] t : seen.values()) {
                // a worker's receive stamp may trail this thread's clock by a millisecond or two (seen in CI)
                assertTrue(before - 50 <= t[0] && t[0] <= after + 50, "first seen while the session was sent: " + t[0]
                        + " (sent from " + before + " to " + after + ")");
                assertTrue(t[0] <= t[1] && t[1] <= after, "last seen not before first seen");
            }

            // the router refreshes its templates 1.5 s later: last seen moves, first seen stays
            Thread.sleep(1500);
            List<byte[]> refresh = new ArrayList<>(capture("multiplesamplingrates-options-template"));
            refresh.addAll(capture("multiplesamplingrates-template"));
            long refreshedAt = System.currentTimeMillis();
            Replayer.send(refresh, to, ExporterLossTest.source(51), 200, 1);
            ExporterLossTest.awaitDatagrams(base, session.size() + refresh.size());
            Map<Integer, long[]> again = templates(base, "127.0.0.51");
            for (var e : again.entrySet()) {
                long[] old = seen.get(e.getKey());
                assertEquals(old[0], e.getValue()[0], "an unchanged refresh keeps first seen");
                // the receive time a worker stamps may trail this thread's clock by a millisecond: compare with the
                // first sighting, 1.5 s earlier, and with the send within a tolerance
                assertTrue(e.getValue()[1] >= old[1] + 1000 && e.getValue()[1] >= refreshedAt - 50,
                        "last seen is the refresh: " + e.getValue()[1] + " (first sighting's " + old[1] + ", sent at " + refreshedAt + ")");
            }
        }
    }

    static JsonNode exporter(String base, String address) throws Exception {
        JsonNode root = ExporterLossTest.JSON.readTree(ExporterLossTest.http(base + "/exporters"));
        for (JsonNode e : root.get("exporters")) if (e.get("exporter").asText().equals(address)) return e;
        throw new AssertionError(address + " not in /exporters: " + root);
    }

    /** template id -> {first_seen_ms, last_seen_ms} of the exporter's templates. */
    static Map<Integer, long[]> templates(String base, String address) throws Exception {
        Map<Integer, long[]> out = new TreeMap<>();
        for (JsonNode t : ExporterLossTest.JSON.readTree(ExporterLossTest.http(base + "/templates")).get("templates")) {
            if (!t.get("exporter").asText().equals(address)) continue;
            out.put(t.get("template_id").asInt(), new long[] {t.get("first_seen_ms").asLong(), t.get("last_seen_ms").asLong()});
        }
        return out;
    }
}

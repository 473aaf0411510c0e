package io.sluice.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.testing.LossScenario;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.SluiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-exporter loss ledger through the real binary: {@code bin/sluice run} (its own JVM, its
 * configuration file) receives four real exporters' captures from 127.0.0.31..34 with datagrams removed,
 * duplicated, reordered and a sequence reset ({@link LossScenario}, as ExporterLossTest sends them to the
 * in-process service); its /metrics, scraped over HTTP, carries exactly those per-exporter counters, and
 * /exporters the same per sequence space.
 */
class ExporterLedgerIT {
    @TempDir
    Path tmp;

    @Test
    void binSluiceRunCountsEachExportersLossExactly() throws Exception {
        LossScenario scenario = new LossScenario();
        Path config = tmp.resolve("sluice.yaml");
        Files.writeString(config, """
                # two workers and eBPF random steering (when it loads): one exporter's datagrams are read out of order
                listeners:
                  - {address: 127.0.0.1:0, protocol: auto, workers: 2, steering: random}
                output: {type: none}
                metrics: {listen: 127.0.0.1:0}
                exporters: {reorder-window: %s}
                handover: {enabled: false}
                """.formatted(LossScenario.WINDOW));
        try (SluiceProcess sluice = SluiceProcess.start(config)) {
            scenario.send(sluice.listener(), sluice.metricsBase());
            MetricsScrape m = LossScenario.awaitSettled(sluice.metricsBase(), scenario.datagrams());
            System.out.println("ExporterLedgerIT, bin/sluice run pid " + sluice.pid() + ":\n" + m.text().lines()
                    .filter(l -> l.startsWith("sluice_exporter_sequence_") && !l.contains(" 0")).reduce("", (a, b) -> a + b + "\n"));
            assertEquals(scenario.datagrams(), m.sum("sluice_exporter_datagrams_total"), "every datagram sent was read");
            scenario.assertCounters(m);

            // /exporters says the same per sequence space
            JsonNode root = new ObjectMapper().readTree(get(sluice.metricsBase() + "/exporters"));
            Map<String, Long> missing = new HashMap<>();
            for (JsonNode e : root.get("exporters")) {
                for (JsonNode s : e.get("sequence_spaces")) {
                    String key = e.get("exporter").asText() + " " + s.get("space").asText();
                    missing.merge(key, s.get("missing").asLong(), Long::sum);
                }
            }
            for (var k : missing.entrySet()) {
                String[] es = k.getKey().split(" ");
                assertEquals(LossScenario.seq(m, "missing", es[0], es[1]), k.getValue(), k.getKey());
            }
            assertEquals(2, missing.get("127.0.0.31 sflow_datagram"));
            assertEquals(1, missing.get("127.0.0.33 netflow_v9"));
            assertEquals(4, root.get("exporters").size());
            assertEquals(0, sluice.stop(Duration.ofSeconds(60)), sluice.output());
        }
    }

    static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        return r.body();
    }
}

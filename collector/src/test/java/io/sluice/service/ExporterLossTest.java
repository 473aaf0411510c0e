package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.cli.Replayer;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.testing.Captures;
import io.sluice.testing.LossScenario;
import io.sluice.testing.MetricsScrape;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real exporters' captures sent into a running sluice (two workers, eBPF random steering when it loads:
 * one exporter's datagrams are spread over both, so they are read out of order) from several source
 * addresses, each with chosen datagrams removed, duplicated, reordered or its sequence started over
 * ({@link LossScenario}), and the per-exporter sequence counters read from /metrics over HTTP must say
 * exactly that.
 */
class ExporterLossTest {
    static final String WINDOW = LossScenario.WINDOW;

    static InetAddress source(int last) throws Exception {
        return LossScenario.source(last);
    }

    static List<byte[]> first(String benchCapture, int n) throws Exception {
        return LossScenario.first(benchCapture, n);
    }

    static SluiceConfig config(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--config", "/dev/null",
                "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=2", "--listeners[0].steering=random",
                "--output.type=none", "--metrics.listen=127.0.0.1:0", "--exporters.reorder-window=" + WINDOW));
        args.addAll(List.of(extra));
        return ConfigLoader.load(args.toArray(String[]::new));
    }

    @Test
    void removedDuplicatedReorderedAndResetDatagramsAreCountedExactlyPerExporter() throws Exception {
        LossScenario scenario = new LossScenario(); // the same through bin/sluice run: ExporterLedgerIT
        SluiceConfig config = config();
        try (SluiceService service = SluiceService.start(config)) {
            String base = "http://127.0.0.1:" + service.metricsPort();
            scenario.send(service.listenerAddress(0), base);
            MetricsScrape m = awaitDatagrams(base, scenario.datagrams());
            System.out.println(m.text().lines().filter(l -> l.startsWith("sluice_exporter_sequence")).reduce("", (a, b) -> a + b + "\n"));
            scenario.assertCounters(m);

            // the operator endpoints say the same, per sequence space, and list the templates
            JsonNode exporters = JSON.readTree(http(base + "/exporters"));
            assertEquals(4, exporters.get("exporters").size());
            JsonNode v9Exporter = null;
            for (JsonNode e : exporters.get("exporters")) if (e.get("exporter").asText().equals("127.0.0.33")) v9Exporter = e;
            assertEquals("netflow_v9", v9Exporter.get("protocols").get(0).asText());
            assertEquals(1, v9Exporter.get("sequence_spaces").get(0).get("missing").asLong());
            assertEquals(100, v9Exporter.get("sequence_spaces").get(0).get("expected").asLong());
            JsonNode templates = JSON.readTree(http(base + "/templates"));
            java.util.Set<String> withTemplates = new java.util.TreeSet<>();
            for (JsonNode t : templates.get("templates")) {
                withTemplates.add(t.get("exporter").asText() + " v" + t.get("version").asInt());
                assertTrue(t.get("fields").size() > 0);
            }
            assertEquals(java.util.Set.of("127.0.0.33 v9", "127.0.0.34 v10"), withTemplates);
            assertEquals(false, templates.get("truncated").asBoolean());
        }
    }

    @Test
    void exportersBeyondTheCapAreFoldedIntoOther() throws Exception {
        List<byte[]> v5 = first("softflowd-nfv5.pcap", 20);
        SluiceConfig config = config("--exporters.max=2");
        try (SluiceService service = SluiceService.start(config)) {
            InetSocketAddress to = service.listenerAddress(0);
            for (int i = 41; i <= 44; i++) Replayer.send(v5, to, source(i), 2000, 1);
            MetricsScrape m = awaitDatagrams("http://127.0.0.1:" + service.metricsPort(), 80);
            assertEquals(2, m.sum("sluice_exporters"));
            assertEquals(40, m.sum("sluice_exporter_datagrams_total", "exporter", "other"), "two sources over the cap");
            assertEquals(80, m.sum("sluice_exporter_datagrams_total"));
            assertEquals(3, m.text().lines().filter(l -> l.startsWith("sluice_exporter_datagrams_total{")).count(),
                    "two exporters and other: the series stay bounded");
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();

    static String http(String url) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url);
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        return r.body();
    }

    @Test
    void dropNotificationsReachTheOutputAndAreCountedAsTakenThere() throws Exception {
        List<byte[]> drops = new ArrayList<>();
        for (String c : List.of("sflow-drop-egress-queue", "sflow-drop-extended-acl", "sflow-drop-extended-function")) {
            drops.addAll(CaptureReader.read(Captures.file("goflow2/" + c + ".bin")).stream().map(CapturedDatagram::payload).toList());
        }
        SluiceConfig config = config();
        try (SluiceService service = SluiceService.start(config)) {
            Replayer.send(drops, service.listenerAddress(0), source(71), 200, 1);
            MetricsScrape m = awaitDatagrams("http://127.0.0.1:" + service.metricsPort(), drops.size());
            // the none output takes them as it takes flows; Kafka and file routing: DropNotificationRoutingTest
            assertEquals(3, m.sum("sluice_kafka_drop_notifications_sent_total"), "decoded, handed to the output, taken there");
            assertEquals(0, m.sum("sluice_drop_notifications_dropped_total"));
            assertEquals(0, m.sum("sluice_decode_errors_total"));
            assertEquals(0, m.sum("sluice_records_skipped_total"));
        }
    }

    static MetricsScrape awaitDatagrams(String base, long sent) throws Exception {
        return LossScenario.awaitSettled(base, sent);
    }
}

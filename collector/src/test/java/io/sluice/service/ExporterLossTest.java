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
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.sflow.SflowDecoder;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.testing.Captures;
import io.sluice.testing.MetricsScrape;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real exporters' captures sent into a running sluice (two workers, eBPF random steering when it loads:
 * one exporter's datagrams are spread over both, so they are read out of order) from several source
 * addresses, each with chosen datagrams removed, duplicated, reordered or its sequence started over,
 * and the per-exporter sequence counters read from /metrics over HTTP must say exactly that.
 */
class ExporterLossTest {
    static final String WINDOW = "3s";

    static InetAddress source(int last) throws Exception {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
    }

    static List<byte[]> first(String benchCapture, int n) throws Exception {
        List<CapturedDatagram> all = CaptureReader.read(Captures.bench().resolve(benchCapture));
        return new ArrayList<>(all.subList(0, n).stream().map(CapturedDatagram::payload).toList());
    }

    /** Flow samples the sFlow decoder reads in {@code payload}: the sample-sequence units it carries. */
    static int flowSamples(byte[] payload) {
        int[] n = {0};
        Datagram d = new Datagram(ByteBuffer.wrap(payload));
        d.length = payload.length;
        new SflowDecoder().decode(d, new FlowSink() {
            @Override
            public void flow(FlowRecord flow) {
                n[0]++;
            }
        }, new DecodeStats());
        return n[0];
    }

    static int u16(byte[] p, int at) {
        return ((p[at] & 0xFF) << 8) | (p[at + 1] & 0xFF);
    }

    static long u32(byte[] p, int at) {
        return ((long) u16(p, at) << 16) | u16(p, at + 2);
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
        // sFlow (hsflowd): datagrams 20 and 60 removed
        List<byte[]> sflow = first("hsflowd-sflow.pcap", 120);
        int lostSamples = flowSamples(sflow.get(60)) + flowSamples(sflow.get(20));
        sflow.remove(60);
        sflow.remove(20);
        // NetFlow v5 (softflowd): datagrams 10 and 40 sent twice
        List<byte[]> v5 = first("softflowd-nfv5.pcap", 100);
        v5.add(41, v5.get(40));
        v5.add(11, v5.get(10));
        // NetFlow v9 (softflowd): 10 and 11 swapped, 30 sent after 33, 50 removed
        List<byte[]> v9 = first("softflowd-nfv9.pcap", 100);
        v9.remove(50);
        v9.add(33, v9.remove(30));
        v9.add(10, v9.remove(11));
        // IPFIX (softflowd): datagram 70 removed (its records are lost), then the exporter restarts: 0..39 again
        List<byte[]> ipfixOnce = first("softflowd-ipfix.pcap", 100);
        long lostRecords = u32(ipfixOnce.get(71), 8) - u32(ipfixOnce.get(70), 8);
        List<byte[]> ipfix = new ArrayList<>(ipfixOnce);
        ipfix.remove(70);
        List<byte[]> ipfixRestarted = ipfixOnce.subList(0, 40);
        long ipfixExpected = u32(ipfixOnce.get(99), 8) - u32(ipfixOnce.get(0), 8) // first run: records of 0..98
                + u32(ipfixOnce.get(40), 8) - u32(ipfixOnce.get(0), 8);            // second run: records of 0..39
        // plus what the last message of each run holds is counted from the messages themselves (checked below)

        SluiceConfig config = config();
        try (SluiceService service = SluiceService.start(config)) {
            InetSocketAddress to = service.listenerAddress(0);
            Replayer.send(sflow, to, source(31), 2000, 1);
            Replayer.send(v5, to, source(32), 2000, 1);
            Replayer.send(v9, to, source(33), 2000, 1);
            Replayer.send(ipfix, to, source(34), 2000, 1);
            // the exporter reboots: longer than the reorder window (3 s) after the last message of the first run was
            // DECODED, which may lag the send by a second or more on a loaded machine (then the restarted messages
            // would still fall among the remembered ones and count as duplicates)
            Thread.sleep(6500);
            Replayer.send(ipfixRestarted, to, source(34), 2000, 1);
            long sent = sflow.size() + v5.size() + v9.size() + ipfix.size() + ipfixRestarted.size();
            String base = "http://127.0.0.1:" + service.metricsPort();
            MetricsScrape m = awaitDatagrams(base, sent);
            System.out.println(m.text().lines().filter(l -> l.startsWith("sluice_exporter_sequence")).reduce("", (a, b) -> a + b + "\n"));
            assertEquals(0, m.sum("sluice_socket_drops_total"), "no kernel drop: every missing unit is one we removed");

            assertEquals(sflow.size(), m.sum("sluice_exporter_datagrams_total", "exporter", "127.0.0.31"));
            assertEquals(2, seq(m, "missing", "127.0.0.31", "sflow_datagram"));
            assertEquals(lostSamples, seq(m, "missing", "127.0.0.31", "sflow_flow_sample"));
            assertEquals(0, seq(m, "duplicates", "127.0.0.31", "sflow_datagram") + seq(m, "resets", "127.0.0.31", "sflow_datagram"));
            assertEquals(121, seq(m, "expected", "127.0.0.31", "sflow_datagram") + 1, "120 datagrams sent by sequence");

            assertEquals(0, seq(m, "missing", "127.0.0.32", "netflow_v5"));
            assertEquals(2, seq(m, "duplicates", "127.0.0.32", "netflow_v5"));
            assertEquals(100L * 29, seq(m, "expected", "127.0.0.32", "netflow_v5"), "flow_sequence counts flows: 29 per datagram");

            assertEquals(1, seq(m, "missing", "127.0.0.33", "netflow_v9"), "reordered datagrams are not lost, the removed one is");
            assertEquals(100, seq(m, "expected", "127.0.0.33", "netflow_v9"));
            assertEquals(0, seq(m, "duplicates", "127.0.0.33", "netflow_v9") + seq(m, "resets", "127.0.0.33", "netflow_v9"));

            assertEquals(1, seq(m, "resets", "127.0.0.34", "ipfix"));
            assertEquals(lostRecords, seq(m, "missing", "127.0.0.34", "ipfix"));
            long expected = seq(m, "expected", "127.0.0.34", "ipfix");
            long lastTwo = expected - ipfixExpected; // the records of message 99 and of message 39 (second run)
            assertEquals(true, lastTwo > 0 && lastTwo < 200, "expected " + expected + " vs " + ipfixExpected);

            for (String e : List.of("127.0.0.31", "127.0.0.32", "127.0.0.33", "127.0.0.34")) {
                assertEquals(0, m.sum("sluice_exporter_sequence_pending", "exporter", e), e + ": every gap is settled");
                assertEquals(0, m.sum("sluice_exporter_decode_errors_total", "exporter", e), e);
                assertEquals(m.sum("sluice_exporter_sequence_expected_total", "exporter", e),
                        m.sum("sluice_exporter_sequence_received_total", "exporter", e)
                                + m.sum("sluice_exporter_sequence_missing_total", "exporter", e), e + ": the books balance");
            }
            assertEquals(m.sum("sluice_flows_decoded_total"), m.sum("sluice_exporter_flows_total"));
            assertEquals(4, m.sum("sluice_exporters"));

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

    static long seq(MetricsScrape m, String what, String exporter, String space) {
        return m.sum("sluice_exporter_sequence_" + what + "_total", "exporter", exporter, "space", space);
    }

    static MetricsScrape awaitDatagrams(String base, long sent) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        MetricsScrape m;
        do {
            m = MetricsScrape.get(base);
            if (m.sum("sluice_exporter_datagrams_total") + m.sum("sluice_socket_drops_total") >= sent
                    && m.sum("sluice_exporter_sequence_pending") == 0) break; // every gap settled (the window passed)
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        Thread.sleep(100); // the last decode after the count
        return MetricsScrape.get(base);
    }
}

package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.cli.Replayer;
import io.sluice.config.ConfigLoader;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.sflow.SflowDecoder;
import io.sluice.flow.FlowSink;
import io.sluice.flow.pb.DropMessage;
import io.sluice.testing.Captures;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.SharedKafka;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * goflow2's three sFlow drop-notification captures sent over UDP into a running sluice: each becomes one
 * DropMessage on the drops topic (length-delimited, keyed by agent address) or in the drops file, and
 * /metrics counts them as sent, none dropped.
 */
@ExtendWith(SharedKafka.class)
class DropNotificationRoutingTest {
    static final List<String> CAPTURES = List.of("sflow-drop-egress-queue", "sflow-drop-extended-acl", "sflow-drop-extended-function");
    static final ObjectMapper JSON = new ObjectMapper();

    /** The captures' datagrams, in order (one each). */
    static List<byte[]> payloads() throws Exception {
        List<byte[]> all = new ArrayList<>();
        for (String c : CAPTURES) {
            List<CapturedDatagram> d = CaptureReader.read(Captures.file("goflow2/" + c + ".payloads.bin"));
            assertEquals(1, d.size(), c);
            all.add(d.getFirst().payload());
        }
        return all;
    }

    static JsonNode expected(String capture) throws Exception {
        return JSON.readTree(Captures.file("goflow2/" + capture + ".expected.json").toFile()).get("expected").get("record");
    }

    static JsonNode summary(String capture) throws Exception {
        return JSON.readTree(Captures.file("goflow2/" + capture + ".summary.json").toFile()).get("datagram_details").get(0);
    }

    /** What the decoder itself makes of one payload, without the receive-side fields (time, UDP source). */
    static DropMessage decoded(byte[] payload) {
        List<DropMessage> out = new ArrayList<>();
        Datagram d = new Datagram(ByteBuffer.wrap(payload));
        d.length = payload.length;
        new SflowDecoder().decode(d, new FlowSink() {
            @Override
            public void flow(io.sluice.flow.FlowRecord flow) {}

            @Override
            public void drop(DropMessage drop) {
                out.add(drop);
            }
        }, new DecodeStats());
        assertEquals(1, out.size());
        return withoutReceiveFields(out.getFirst());
    }

    static DropMessage withoutReceiveFields(DropMessage m) {
        return m.toBuilder().clearTimeReceivedNs().clearExporterAddress().clearExporterPort().build();
    }

    /** The goflow2 test's values for each capture's extension record, and the datagram header from tshark. */
    static void assertGoflow2Values(Map<String, DropMessage> byCapture) throws Exception {
        for (String c : CAPTURES) {
            DropMessage m = byCapture.get(c);
            JsonNode e = expected(c);
            JsonNode s = summary(c);
            assertEquals(s.get("agent").asText(), InetAddress.getByAddress(m.getAgentAddress().toByteArray()).getHostAddress(), c);
            assertEquals(s.get("sequence").asLong(), Integer.toUnsignedLong(m.getDatagramSequence()), c);
            assertEquals(Long.parseLong(s.get("sub_agent_id").asText()), Integer.toUnsignedLong(m.getSubAgentId()), c);
            switch (c) {
                case "sflow-drop-egress-queue" -> assertEquals(e.get("queue").asInt(), m.getEgressQueue());
                case "sflow-drop-extended-acl" -> {
                    assertEquals(e.get("number").asInt(), m.getAclNumber());
                    assertEquals(e.get("name").asText(), m.getAclName());
                    assertEquals(e.get("direction").asInt(), m.getAclDirection());
                }
                default -> assertEquals(e.get("symbol").asText(), m.getFunctionSymbol());
            }
        }
    }

    /** Which capture a message came from: by its extension record (each capture carries a different one). */
    static String captureOf(DropMessage m) {
        if (m.getEgressQueue() != 0) return "sflow-drop-egress-queue";
        if (!m.getAclName().isEmpty()) return "sflow-drop-extended-acl";
        return "sflow-drop-extended-function";
    }

    static MetricsScrape awaitSent(String base, long n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        MetricsScrape m;
        do {
            m = MetricsScrape.get(base);
            if (m.sum("sluice_kafka_drop_notifications_sent_total") + m.sum("sluice_drop_notifications_dropped_total") >= n) break;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return m;
    }

    @Test
    void dropsTopicHoldsOneLengthDelimitedDropMessagePerNotificationKeyedByAgent(KafkaBroker kafka) throws Exception {
        kafka.createTopic("drops-e2e-flows", 1);
        kafka.createTopic("drops-e2e-counters", 1);
        kafka.createTopic("drops-e2e-drops", 2);
        List<byte[]> payloads = payloads();
        MetricsScrape m;
        try (SluiceService service = SluiceService.start(ConfigLoader.load(new String[] {"--config", "/dev/null",
                "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=2", "--listeners[0].steering=random",
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--kafka.topic=drops-e2e-flows",
                "--kafka.counters-topic=drops-e2e-counters", "--kafka.drops-topic=drops-e2e-drops",
                "--metrics.listen=127.0.0.1:0", "--handover.enabled=false"}))) {
            Replayer.send(payloads, service.listenerAddress(0), ExporterLossTest.source(72), 200, 1);
            m = awaitSent("http://127.0.0.1:" + service.metricsPort(), payloads.size());
        }
        assertEquals(3, m.sum("sluice_kafka_drop_notifications_sent_total"));
        assertEquals(0, m.sum("sluice_drop_notifications_dropped_total"));
        assertEquals(0, m.sum("sluice_decode_errors_total"));
        assertEquals(0, kafka.recordCount("drops-e2e-flows"), "no flows in drop notifications");
        assertEquals(0, kafka.recordCount("drops-e2e-counters"));

        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll("drops-e2e-drops");
        assertEquals(3, records.size());
        Map<String, DropMessage> byCapture = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ByteArrayInputStream in = new ByteArrayInputStream(r.value());
            DropMessage d = DropMessage.parseDelimitedFrom(in);
            assertEquals(0, in.available(), "one length-delimited DropMessage per record");
            assertArrayEquals(d.getAgentAddress().toByteArray(), r.key(), "keyed by agent address");
            assertArrayEquals(new byte[] {127, 0, 0, 72}, d.getExporterAddress().toByteArray(), "the UDP source");
            assertTrue(d.getTimeReceivedNs() > 0);
            byCapture.put(captureOf(d), d);
        }
        assertEquals(3, byCapture.size(), "one of each capture");
        assertGoflow2Values(byCapture);
        for (int i = 0; i < CAPTURES.size(); i++) {
            DropMessage got = withoutReceiveFields(byCapture.get(CAPTURES.get(i)));
            assertEquals(decoded(payloads.get(i)), got, "reason, interfaces, drops, sampled header: as the decoder made it");
            assertTrue(got.getReason() != 0, "a drop reason");
        }
    }

    @Test
    void fileOutputWritesThemToTheDropsPathAsJsonAndProtobuf(@TempDir Path dir) throws Exception {
        List<byte[]> payloads = payloads();
        for (String format : List.of("json", "protobuf")) {
            Path flows = dir.resolve("flows." + format);
            Path drops = dir.resolve("drops." + format);
            MetricsScrape m;
            try (SluiceService service = SluiceService.start(ConfigLoader.load(new String[] {"--config", "/dev/null",
                    "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=1", "--metrics.listen=127.0.0.1:0",
                    "--handover.enabled=false", "--output.type=file", "--output.file.format=" + format,
                    "--output.file.path=" + flows, "--output.file.drops-path=" + drops}))) {
                Replayer.send(payloads, service.listenerAddress(0), ExporterLossTest.source(73), 200, 1);
                m = awaitSent("http://127.0.0.1:" + service.metricsPort(), payloads.size());
            }
            assertEquals(3, m.sum("sluice_kafka_drop_notifications_sent_total"), format);
            assertEquals(0, m.sum("sluice_drop_notifications_dropped_total"), format);
            assertEquals(0, Files.size(flows), "no flows: " + format);
            Map<String, DropMessage> byCapture = new HashMap<>();
            if (format.equals("json")) {
                List<String> lines = Files.readAllLines(drops);
                assertEquals(3, lines.size());
                for (String line : lines) {
                    JsonNode j = JSON.readTree(line);
                    DropMessage.Builder b = DropMessage.newBuilder()
                            .setAgentAddress(com.google.protobuf.ByteString.copyFrom(InetAddress.getByName(j.get("agent_address").asText()).getAddress()))
                            .setDatagramSequence(j.get("datagram_sequence").asInt())
                            .setSubAgentId(j.get("sub_agent_id").asInt())
                            .setEgressQueue(j.path("egress_queue").asInt())
                            .setAclNumber(j.path("acl_number").asInt())
                            .setAclName(j.path("acl_name").asText(""))
                            .setAclDirection(j.path("acl_direction").asInt())
                            .setFunctionSymbol(j.path("function_symbol").asText(""))
                            .setReason(j.get("reason").asInt());
                    byCapture.put(captureOf(b.build()), b.build());
                }
                for (int i = 0; i < CAPTURES.size(); i++) {
                    assertEquals(decoded(payloads.get(i)).getReason(), byCapture.get(CAPTURES.get(i)).getReason());
                }
            } else {
                try (var in = Files.newInputStream(drops)) {
                    DropMessage d;
                    while ((d = DropMessage.parseDelimitedFrom(in)) != null) byCapture.put(captureOf(d), d);
                }
                for (int i = 0; i < CAPTURES.size(); i++) {
                    assertEquals(decoded(payloads.get(i)), withoutReceiveFields(byCapture.get(CAPTURES.get(i))));
                }
            }
            assertEquals(3, byCapture.size(), format);
            assertGoflow2Values(byCapture);
        }
    }
}

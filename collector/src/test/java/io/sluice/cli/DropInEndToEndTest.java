package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.flow.AddressFormat;
import io.sluice.flow.pb.CounterMessage;
import io.sluice.service.ReuseportReceivePath;
import io.sluice.service.SluiceService;
import io.sluice.service.StandardDecoders;
import io.sluice.testing.Captures;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.SharedKafka;
import io.sluice.testing.UpstreamSchema;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The drop-in contracts end to end: real captures (../shared) sent over UDP to a running sluice
 * (started as `sluice run` starts it: ConfigLoader.load of run's arguments, then SluiceService.start
 * with the reuseport receive path and the standard decoders, RunCommand's own code path), into the
 * real in-process broker; every Kafka record read back with the UPSTREAM schema, compiled at test
 * time from ../shared/reference (goflow2's flow.proto, Akvorado's rawflow.proto), and compared with
 * what `sluice decode` prints for the same datagrams (DecodeMain, the command's own entry point).
 */
@ExtendWith(SharedKafka.class)
class DropInEndToEndTest {
    /** Files replayed together from one source address, in order (templates before their data). */
    static final List<List<String>> EXPORTERS = List.of(
            List.of("akvorado/netflow/options-template.pcap", "akvorado/netflow/options-data.pcap",
                    "akvorado/netflow/template.pcap", "akvorado/netflow/data.pcap"),
            List.of("akvorado/netflow/nfv5.pcap"),
            // not ipfix_v10_with_mpls_labels: its data sets wait for a template minutes of capture time
            // later, which `sluice decode` (capture time) expires and a live run (receive time) keeps;
            // ServiceEndToEndTest covers it against the same decoders fed at receive time.
            List.of("akvorado/netflow/icmp-template.pcap", "akvorado/netflow/icmp-data.pcap"),
            List.of("akvorado/sflow/data-1140.pcap", "akvorado/sflow/data-qinq.pcap"),
            List.of("goflow2/sflow-sample.wrapped.pcap", "goflow2/sflow-expanded-sample.wrapped.pcap"),
            List.of("goflow2/nfv9-template260.wrapped.pcap", "goflow2/nfv9-data260.wrapped.pcap", "goflow2/nfv5.wrapped.pcap"),
            List.of("tcpdump/sflow_multiple_counter_30_pdus.pcap"));
    private static final ObjectMapper JSON = new ObjectMapper();

    static InetAddress exporter(int i) throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (20 + i)});
    }

    /** What `sluice decode FILES...` prints per exporter (one decoder state per exporter, as live), flows only. */
    static List<Map<String, String>> decodeCommandFlows() throws IOException {
        List<Map<String, String>> flows = new ArrayList<>();
        for (List<String> files : EXPORTERS) {
            List<String> args = new ArrayList<>();
            for (String f : files) args.add(Captures.file(f).toString());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = DecodeMain.main(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(new ByteArrayOutputStream()));
            assertEquals(0, rc, "sluice decode " + files);
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                Map<String, String> flow = new TreeMap<>();
                JSON.readTree(line).fields().forEachRemaining(e -> flow.put(e.getKey(), text(e.getValue())));
                flows.add(flow);
            }
        }
        return flows;
    }

    private static String text(JsonNode v) {
        if (v.isArray()) {
            List<String> items = new ArrayList<>();
            v.forEach(n -> items.add(n.asText()));
            return items.toString();
        }
        return v.asText();
    }

    /** A FlowMessage parsed with goflow2's schema, in `sluice decode`'s text conventions, goflow2's fields only. */
    static Map<String, String> upstreamFields(DynamicMessage m) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
            FieldDescriptor f = e.getKey();
            Object v = e.getValue();
            if (f.isRepeated()) {
                List<String> items = new ArrayList<>();
                for (Object item : (List<?>) v) items.add(scalar(f, item));
                out.put(f.getName(), items.toString());
            } else {
                out.put(f.getName(), scalar(f, v));
            }
        }
        return out;
    }

    private static String scalar(FieldDescriptor f, Object v) {
        return switch (f.getJavaType()) {
            case BYTE_STRING -> {
                byte[] b = ((ByteString) v).toByteArray();
                yield AddressFormat.format(b, b.length);
            }
            case ENUM -> ((EnumValueDescriptor) v).getName();
            case INT -> Long.toString(((Integer) v) & 0xFFFF_FFFFL);
            case LONG -> f.getName().endsWith("_mac") ? mac((Long) v) : Long.toUnsignedString((Long) v);
            default -> v.toString();
        };
    }

    private static String mac(long mac) {
        StringBuilder sb = new StringBuilder();
        for (int shift = 40; shift >= 0; shift -= 8) {
            sb.append(String.format("%02x", (mac >>> shift) & 0xff));
            if (shift > 0) sb.append(':');
        }
        return sb.toString();
    }

    /**
     * The fields that say how and when the datagram arrived, not what it held: receive time; sFlow flow
     * times (goflow2: the receive time); NetFlow/IPFIX sampler_address (the UDP source, the pcap's in
     * `sluice decode`, the replay's here). Everything else must be equal. Restricted to goflow2's fields.
     */
    static Map<String, String> comparable(Map<String, String> flow, Descriptor upstream) {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, String> e : flow.entrySet()) {
            if (upstream.findFieldByName(e.getKey()) != null) out.put(e.getKey(), e.getValue());
        }
        out.remove("time_received_ns");
        if ("SFLOW_5".equals(out.get("type"))) {
            out.remove("time_flow_start_ns");
            out.remove("time_flow_end_ns");
        } else {
            out.remove("sampler_address");
        }
        return out;
    }

    /** Equal multisets, or a failure listing only the differing entries. */
    static void assertSameFlows(Map<Map<String, String>, Integer> expected, Map<Map<String, String>, Integer> actual, String what) {
        if (expected.equals(actual)) return;
        List<String> diff = new ArrayList<>();
        for (var e : expected.entrySet()) {
            int got = actual.getOrDefault(e.getKey(), 0);
            if (got != e.getValue()) diff.add("decode x" + e.getValue() + ", kafka x" + got + ": " + e.getKey());
        }
        for (var e : actual.entrySet()) {
            if (!expected.containsKey(e.getKey())) diff.add("decode x0, kafka x" + e.getValue() + ": " + e.getKey());
        }
        throw new AssertionError(what + ": " + diff.size() + " differences\n" + String.join("\n", diff.subList(0, Math.min(6, diff.size()))));
    }

    private static Map<Map<String, String>, Integer> multiset(List<Map<String, String>> flows, Descriptor upstream) {
        Map<Map<String, String>, Integer> m = new HashMap<>();
        for (Map<String, String> f : flows) m.merge(comparable(f, upstream), 1, Integer::sum);
        return m;
    }

    /** Starts sluice as `sluice run ARGS` does, replays every exporter's captures, and returns what was sent. */
    private static List<List<byte[]>> runAndReplay(String[] args, KafkaBroker kafka, String topic, long expectedRecords,
                                                    boolean exactRecords) throws Exception {
        SluiceConfig config = ConfigLoader.load(args);
        List<List<byte[]>> sent = new ArrayList<>();
        try (SluiceService service = SluiceService.start(config)) {
            InetSocketAddress to = service.listenerAddress(0);
            for (int i = 0; i < EXPORTERS.size(); i++) {
                List<Path> paths = EXPORTERS.get(i).stream().map(Captures::file).toList();
                List<byte[]> payloads = CaptureReader.readAll(paths).stream().map(CapturedDatagram::payload).toList();
                sent.add(payloads);
                Replayer.send(payloads, to, exporter(i), 500, 1);
            }
            long got = kafka.awaitRecordCount(topic, expectedRecords, Duration.ofSeconds(30));
            service.close(); // flush: every flow handed over is delivered before the topic is read
            got = kafka.recordCount(topic);
            if (exactRecords) assertEquals(expectedRecords, got, "records in " + topic);
            else assertTrue(got > 0 && got <= expectedRecords, "records in " + topic + ": " + got);
        }
        return sent;
    }

    private static String[] args(KafkaBroker kafka, String topic, String... extra) {
        List<String> a = new ArrayList<>(List.of("--config", "/dev/null",
                "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=2", "--listeners[0].steering=random",
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--kafka.topic=" + topic, "--kafka.counters-topic=" + topic + "-counters",
                "--kafka.drops-topic=" + topic + "-counters",
                "--metrics.listen=127.0.0.1:0", "--batching.max-age=20ms", "--handover.enabled=false"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** goflow2 v2's framing (the default): each record is one varint-delimited FlowMessage. */
    @Test
    void defaultRecordsAreLengthDelimitedGoflow2FlowMessages(KafkaBroker kafka) throws Exception {
        Descriptor upstream = UpstreamSchema.message("goflow2/flow.proto", "FlowMessage");
        List<Map<String, String>> expected = decodeCommandFlows();
        assertTrue(expected.size() > 50, "the captures hold flows: " + expected.size());
        kafka.createTopic("dropin-delim", 2);
        kafka.createTopic("dropin-delim-counters", 1);
        runAndReplay(args(kafka, "dropin-delim"), kafka, "dropin-delim", expected.size(), true);

        List<Map<String, String>> actual = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("dropin-delim")) {
            List<DynamicMessage> messages = readDelimited(upstream, r.value());
            assertEquals(1, messages.size(), "one flow per record (kafka.flows-per-record 1)");
            actual.add(upstreamFields(messages.getFirst()));
        }
        assertSameFlows(multiset(expected, upstream), multiset(actual, upstream),
                "every record, read with goflow2's schema, equals a flow `sluice decode` prints, as often");
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("dropin-delim-counters")) {
            ByteArrayInputStream in = new ByteArrayInputStream(r.value());
            CounterMessage.parseDelimitedFrom(in);
            assertEquals(0, in.available(), "a counters record is one length-delimited CounterMessage");
        }
        assertTrue(kafka.recordCount("dropin-delim-counters") > 0, "counters arrived");
    }

    /** output.framing bare: each record is one bare FlowMessage, read with a single-message reader. */
    @Test
    void bareFramingGivesOneBareMessagePerRecord(KafkaBroker kafka) throws Exception {
        Descriptor upstream = UpstreamSchema.message("goflow2/flow.proto", "FlowMessage");
        List<Map<String, String>> expected = decodeCommandFlows();
        kafka.createTopic("dropin-bare", 2);
        kafka.createTopic("dropin-bare-counters", 1);
        runAndReplay(args(kafka, "dropin-bare", "--output.framing=bare"), kafka, "dropin-bare", expected.size(), true);
        List<Map<String, String>> actual = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("dropin-bare")) {
            actual.add(upstreamFields(DynamicMessage.parseFrom(upstream, r.value())));
        }
        assertSameFlows(multiset(expected, upstream), multiset(actual, upstream), "bare records");
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("dropin-bare-counters")) {
            CounterMessage.parseFrom(r.value()); // bare too: the same key frames every topic
        }
    }

    /** kafka.flows-per-record 32: several delimited flows per record, every flow exactly once. */
    @Test
    void severalFlowsPerRecordAreReadBackEachExactlyOnce(KafkaBroker kafka) throws Exception {
        Descriptor upstream = UpstreamSchema.message("goflow2/flow.proto", "FlowMessage");
        List<Map<String, String>> expected = decodeCommandFlows();
        kafka.createTopic("dropin-packed", 2);
        kafka.createTopic("dropin-packed-counters", 1);
        runAndReplay(args(kafka, "dropin-packed", "--kafka.flows-per-record=32"), kafka, "dropin-packed",
                expected.size(), false);
        List<Map<String, String>> actual = new ArrayList<>();
        int records = 0;
        int largest = 0;
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("dropin-packed")) {
            List<DynamicMessage> messages = readDelimited(upstream, r.value());
            assertTrue(messages.size() >= 1 && messages.size() <= 32, "1..32 flows per record: " + messages.size());
            records++;
            largest = Math.max(largest, messages.size());
            String key = new String(r.key(), StandardCharsets.ISO_8859_1);
            for (DynamicMessage m : messages) {
                actual.add(upstreamFields(m));
                // one partition key per record: every flow of it came from the record's exporter
                ByteString exporterAddress = (ByteString) m.getUnknownFields().getField(1002).getLengthDelimitedList().getFirst();
                assertEquals(key, new String(exporterAddress.toByteArray(), StandardCharsets.ISO_8859_1), "same key");
            }
        }
        assertSameFlows(multiset(expected, upstream), multiset(actual, upstream), "every flow exactly once");
        assertTrue(largest > 1 && records < expected.size(), "flows were packed: " + records + " records, largest " + largest);
    }

    /** Reads varint-delimited messages until the value ends (ClickHouse's Protobuf format, protodelim). */
    static List<DynamicMessage> readDelimited(Descriptor type, byte[] value) throws IOException {
        List<DynamicMessage> out = new ArrayList<>();
        ByteArrayInputStream in = new ByteArrayInputStream(value);
        while (true) {
            DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
            if (!b.mergeDelimitedFrom(in)) break;
            out.add(b.build());
        }
        return out;
    }

    /**
     * output.type akvorado: one bare RawFlow per received datagram on {@code <topic>-v5}, read with
     * Akvorado's rawflow.proto: payload equal to what was sent, source address the exporter as 16
     * bytes, receive time in seconds, the decoder hint by protocol, keyed by the exporter's address text.
     */
    @Test
    void akvoradoOutputCarriesEveryDatagramAsRawFlow(KafkaBroker kafka) throws Exception {
        Descriptor rawFlow = UpstreamSchema.message("akvorado/rawflow.proto", "RawFlow");
        kafka.createTopic("akv-v5", 2);
        long datagrams = 0;
        for (List<String> files : EXPORTERS) datagrams += CaptureReader.readAll(files.stream().map(Captures::file).toList()).size();
        long before = System.currentTimeMillis() / 1000;
        List<List<byte[]>> sent = runAndReplay(args(kafka, "unused", "--output.type=akvorado", "--output.akvorado.topic=akv"),
                kafka, "akv-v5", datagrams, true);
        long after = System.currentTimeMillis() / 1000 + 1;

        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < sent.size(); i++) {
            for (byte[] p : sent.get(i)) expected.merge(exporter(i).getHostAddress() + " " + ByteString.copyFrom(p).toStringUtf8().hashCode() + " " + java.util.HexFormat.of().formatHex(p), 1, Integer::sum);
        }
        Map<String, Integer> actual = new HashMap<>();
        FieldDescriptor payload = rawFlow.findFieldByName("payload");
        FieldDescriptor source = rawFlow.findFieldByName("source_address");
        FieldDescriptor time = rawFlow.findFieldByName("time_received");
        FieldDescriptor decoder = rawFlow.findFieldByName("decoder");
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("akv-v5")) {
            DynamicMessage m = DynamicMessage.parseFrom(rawFlow, r.value());
            assertTrue(m.getUnknownFields().asMap().isEmpty(), "only RawFlow's own fields");
            byte[] p = ((ByteString) m.getField(payload)).toByteArray();
            byte[] src = ((ByteString) m.getField(source)).toByteArray();
            assertEquals(16, src.length, "source address as 16-byte IPv6");
            InetAddress exporter = InetAddress.getByAddress(java.util.Arrays.copyOfRange(src, 12, 16));
            assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1}, java.util.Arrays.copyOf(src, 12), "IPv4-mapped");
            assertEquals(exporter.getHostAddress(), new String(r.key(), StandardCharsets.US_ASCII), "keyed by exporter, as Akvorado's inlet");
            long t = (Long) m.getField(time);
            assertTrue(t >= before && t <= after, "receive time in seconds: " + t);
            String hint = ((EnumValueDescriptor) m.getField(decoder)).getName();
            boolean sflow = p.length >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 5;
            assertEquals(sflow ? "DECODER_SFLOW" : "DECODER_NETFLOW", hint);
            actual.merge(exporter.getHostAddress() + " " + ByteString.copyFrom(p).toStringUtf8().hashCode() + " " + java.util.HexFormat.of().formatHex(p), 1, Integer::sum);
        }
        assertEquals(expected, actual, "every datagram sent, byte for byte, from its exporter, once");
    }

    /** A missing Akvorado topic is a startup error naming the key that sets it (and the topic sluice looked for). */
    @Test
    void missingAkvoradoTopicNamesItsKey(KafkaBroker kafka) throws Exception {
        SluiceConfig config = ConfigLoader.load(args(kafka, "unused", "--output.type=akvorado", "--output.akvorado.topic=nothere"));
        io.sluice.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(io.sluice.config.ConfigException.class,
                () -> SluiceService.start(config).close());
        assertEquals("output.akvorado.topic", e.key());
        assertTrue(e.problem().contains("nothere-v5"), e.problem());
    }
}

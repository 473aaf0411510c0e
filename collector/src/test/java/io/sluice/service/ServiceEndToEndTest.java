package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.cli.Replayer;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.flow.FlowProtobufEncoder;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.pb.CounterMessage;
import io.sluice.flow.pb.FlowMessage;
import io.sluice.testing.Captures;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.SharedKafka;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Real captures replayed over UDP into a running sluice (reuseport sockets, eBPF steering when it
 * loads, two workers, the real decoders, a real broker) give in Kafka exactly the flows the same
 * decoders give offline, decoded back with the generated FlowMessage; sFlow counters on their topic.
 */
@ExtendWith(SharedKafka.class)
class ServiceEndToEndTest {

    /** Files replayed together from one source address (templates and the data needing them), in order. */
    static final List<List<String>> EXPORTERS = List.of(
            List.of("akvorado/netflow/options-template.pcap", "akvorado/netflow/options-data.pcap",
                    "akvorado/netflow/template.pcap", "akvorado/netflow/data.pcap"),
            List.of("akvorado/netflow/nfv5.pcap"),
            List.of("akvorado/extra/ipfix_v10_with_mpls_labels.pcap"),
            List.of("akvorado/netflow/icmp-template.pcap", "akvorado/netflow/icmp-data.pcap"),
            List.of("akvorado/sflow/data-1140.pcap", "akvorado/sflow/data-qinq.pcap"),
            List.of("tcpdump/sflow_multiple_counter_30_pdus.pcap"));

    /** Exporter i sends from 127.0.0.(10 + i): templates are kept per exporter address. */
    static InetAddress exporter(int i) throws Exception {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (10 + i)});
    }

    /** Fields that depend on when and from which port the datagram was received. */
    static FlowMessage normalize(FlowMessage m) {
        FlowMessage.Builder b = m.toBuilder().clearTimeReceivedNs().clearExporterPort();
        if (m.getType() != FlowMessage.FlowType.SFLOW_5) b.clearSamplerAddress(); // NetFlow/IPFIX: the UDP source
        else b.clearTimeFlowStartNs().clearTimeFlowEndNs(); // sFlow: the receive time, as goflow2
        return b.build();
    }

    static CounterMessage normalize(CounterMessage m) {
        return m.toBuilder().clearTimeReceivedNs().clearExporterPort().build();
    }

    /** The same decoders, offline, one decoder state, in replay order: what Kafka must hold. */
    static void decodeOffline(SluiceConfig config, List<List<CapturedDatagram>> perExporter,
                              Map<FlowMessage, Integer> flows, Map<CounterMessage, Integer> counters) throws Exception {
        StandardDecoders decoders = new StandardDecoders(config);
        DatagramDecoder decoder = decoders.newDecoder(io.sluice.decode.ListenerProtocol.AUTO);
        FlowProtobufEncoder encoder = new FlowProtobufEncoder();
        FlowSink sink = new FlowSink() {
            @Override
            public void flow(FlowRecord f) {
                int n = encoder.encode(f);
                try {
                    flows.merge(normalize(FlowMessage.parseFrom(Arrays.copyOf(encoder.buffer(), n))), 1, Integer::sum);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }

            @Override
            public void counters(CounterMessage c) {
                counters.merge(normalize(c), 1, Integer::sum);
            }
        };
        DecodeStats stats = new DecodeStats();
        Datagram d = new Datagram(0);
        long now = System.currentTimeMillis() * 1_000_000L;
        for (int i = 0; i < perExporter.size(); i++) {
            for (CapturedDatagram c : perExporter.get(i)) {
                d.buffer = ByteBuffer.wrap(c.payload());
                d.length = c.payload().length;
                d.setExporter(exporter(i).getAddress(), 40000 + i);
                d.timeReceivedNs = now;
                decoder.decode(d, sink, stats);
            }
        }
    }

    @Test
    void replayedCapturesArriveInKafkaExactlyAsDecodedOffline(KafkaBroker kafka) throws Exception {
        kafka.createTopic("e2e-flows", 4);
        kafka.createTopic("e2e-counters", 1);
        SluiceConfig config = ConfigLoader.load(new String[] {
                "--config", "/dev/null",
                "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=2", "--listeners[0].steering=random",
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--kafka.topic=e2e-flows", "--kafka.counters-topic=e2e-counters", "--kafka.drops-topic=e2e-counters",
                "--metrics.listen=127.0.0.1:0", "--batching.max-age=20ms"});

        List<List<CapturedDatagram>> perExporter = new ArrayList<>();
        for (List<String> files : EXPORTERS) {
            List<Path> paths = files.stream().map(Captures::file).toList();
            perExporter.add(CaptureReader.readAll(paths));
        }
        Map<FlowMessage, Integer> expectedFlows = new HashMap<>();
        Map<CounterMessage, Integer> expectedCounters = new HashMap<>();
        decodeOffline(config, perExporter, expectedFlows, expectedCounters);
        int flowCount = expectedFlows.values().stream().mapToInt(Integer::intValue).sum();
        int counterCount = expectedCounters.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(flowCount > 100 && counterCount > 0, "the captures hold flows and counters: " + flowCount + ", " + counterCount);

        long datagrams = 0;
        try (SluiceService service = SluiceService.start(config)) {
            InetSocketAddress to = service.listenerAddress(0);
            for (int i = 0; i < perExporter.size(); i++) {
                List<byte[]> payloads = perExporter.get(i).stream().map(CapturedDatagram::payload).toList();
                // paced: templates and options are decoded before the data that needs them in most runs;
                // the template store's pending sets cover the rest
                datagrams += Replayer.send(payloads, to, exporter(i), 500, 1).datagrams();
            }
            System.out.printf("replayed %d datagrams from %d exporters: expecting %d flows and %d counter records%n",
                    datagrams, perExporter.size(), flowCount, counterCount);
            assertEquals(flowCount, kafka.awaitRecordCount("e2e-flows", flowCount, Duration.ofSeconds(30)));
            assertEquals(counterCount, kafka.awaitRecordCount("e2e-counters", counterCount, Duration.ofSeconds(30)));

            MetricsScrape m = MetricsScrape.get("http://127.0.0.1:" + service.metricsPort());
            assertEquals(datagrams, m.sum("sluice_packets_received_total"));
            assertEquals(0, m.sum("sluice_socket_drops_total"));
            assertEquals(flowCount, m.sum("sluice_flows_decoded_total"));
            assertEquals(flowCount, m.sum("sluice_kafka_records_sent_total"));
            assertEquals(counterCount, m.sum("sluice_kafka_counter_records_sent_total"));
            assertEquals(0, m.sum("sluice_flows_dropped_total"));
            assertEquals(200, MetricsScrape.status("http://127.0.0.1:" + service.metricsPort() + "/healthz"));
            if (System.getenv("CI") != null || System.getenv("SLUICE_REQUIRE_BPF") != null) {
                assertEquals(1, m.sum("sluice_ebpf_loaded"), "eBPF steering must load here");
            }
        }

        Map<FlowMessage, Integer> actualFlows = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("e2e-flows")) {
            FlowMessage f = FlowMessage.parseDelimitedFrom(new java.io.ByteArrayInputStream(r.value())); // goflow2 v2 framing
            assertEquals(ByteString.copyFrom(r.key()), f.getExporterAddress(), "keyed by exporter");
            actualFlows.merge(normalize(f), 1, Integer::sum);
        }
        assertEquals(expectedFlows, actualFlows, "exactly the expected flows, each as often as expected");
        java.util.Set<FlowMessage.FlowType> types = new java.util.TreeSet<>();
        actualFlows.keySet().forEach(f -> types.add(f.getType()));
        assertEquals(java.util.EnumSet.of(FlowMessage.FlowType.SFLOW_5, FlowMessage.FlowType.NETFLOW_V5,
                FlowMessage.FlowType.NETFLOW_V9, FlowMessage.FlowType.IPFIX), java.util.EnumSet.copyOf(types), "every protocol went through");
        Map<CounterMessage, Integer> actualCounters = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("e2e-counters")) {
            actualCounters.merge(normalize(CounterMessage.parseDelimitedFrom(new java.io.ByteArrayInputStream(r.value()))), 1, Integer::sum);
        }
        assertEquals(expectedCounters, actualCounters);
    }
}

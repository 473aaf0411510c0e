package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.cli.Replayer;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.LifetimeTotals;
import io.sluice.testing.Captures;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.SharedKafka;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Overload on purpose (a tiny socket buffer, a tiny producer buffer, datagrams as fast as one socket
 * sends them), then the books must balance, read from /metrics over HTTP and from the broker:
 * datagrams sent = received + kernel socket drops, and flows decoded = flows in Kafka + flows dropped.
 * With policy block the workers wait for the producer instead of dropping: no flow is dropped by
 * sluice, the kernel drops datagrams instead.
 */
@ExtendWith(SharedKafka.class)
class LossAccountingTest {

    @ParameterizedTest
    @ValueSource(strings = {"drop", "block"})
    void everyDatagramAndEveryFlowIsAccountedFor(String policy, KafkaBroker kafka) throws Exception {
        String topic = "loss-flows-" + policy;
        SluiceConfig config = overloaded(kafka, topic, policy);
        // NetFlow v5: 29 flows per datagram, no templates: every received datagram decodes alone
        List<byte[]> payloads = CaptureReader.read(Captures.file("akvorado/netflow/nfv5.pcap")).stream()
                .map(CapturedDatagram::payload).toList();
        int loops = 30_000;
        try (SluiceService service = SluiceService.start(config)) {
            InetSocketAddress to = service.listenerAddress(0);
            long sent = Replayer.send(payloads, to, null, 0, loops).datagrams();
            String base = "http://127.0.0.1:" + service.metricsPort();

            // wait until the books balance (workers done, producer idle), at most 30 s
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            MetricsScrape m;
            while (true) {
                m = MetricsScrape.get(base);
                boolean received = m.sum("sluice_packets_received_total") + m.sum("sluice_socket_drops_total") == sent;
                boolean delivered = m.sum("sluice_flows_decoded_total")
                        == m.sum("sluice_kafka_records_sent_total") + m.sum("sluice_flows_dropped_total");
                if ((received && delivered) || System.nanoTime() > deadline) break;
                Thread.sleep(100);
            }
            long received = m.sum("sluice_packets_received_total");
            long socketDrops = m.sum("sluice_socket_drops_total");
            long decoded = m.sum("sluice_flows_decoded_total");
            long kafkaSent = m.sum("sluice_kafka_records_sent_total");
            long dropped = m.sum("sluice_flows_dropped_total");
            System.out.printf("policy %s: sent %d datagrams: received %d, socket drops %d; flows decoded %d = sent to Kafka %d + dropped %d (buffer_full %d)%n",
                    policy, sent, received, socketDrops, decoded, kafkaSent, dropped, m.sum("sluice_flows_dropped_total", "reason", "buffer_full"));
            assertEquals(sent, received + socketDrops, "datagrams sent = received + socket drops");
            assertTrue(socketDrops > 0, "the overload made the kernel drop (else this test proves nothing)");
            assertEquals(received * 29, decoded, "every received datagram decoded into its 29 flows");
            assertEquals(decoded, kafkaSent + dropped, "flows decoded = flows sent to Kafka + flows dropped");
            assertEquals(kafkaSent, kafka.recordCount(topic), "flows counted as sent = flows the broker holds");
            if (policy.equals("block")) assertEquals(0, dropped, "policy block: the workers wait, sluice drops no flow");
            assertEquals(0, m.sum("sluice_decode_errors_total"));
        }
    }

    /**
     * The drops of the last moments before a stop: the socket drop counters live in /proc/net/udp only
     * while the sockets are open, so they are read once more after the drain and before the close. Here
     * nothing scrapes between the overload and the stop (the last read is from before the traffic): without
     * that final read the totals sluice logs at the stop would miss every drop of the run.
     */
    @Test
    void theTotalsLoggedAtTheStopIncludeTheDropsSinceTheLastScrape(KafkaBroker kafka) throws Exception {
        SluiceConfig config = overloaded(kafka, "loss-flows-at-stop", "block");
        List<byte[]> payloads = CaptureReader.read(Captures.file("akvorado/netflow/nfv5.pcap")).stream()
                .map(CapturedDatagram::payload).toList();
        SluiceService service = SluiceService.start(config);
        long sent;
        try {
            assertEquals(0, LifetimeTotals.of(service.metrics().registry()).socketDrops(), "read before the traffic");
            sent = Replayer.send(payloads, service.listenerAddress(0), null, 0, 30_000).datagrams();
        } finally {
            service.close();
        }
        LifetimeTotals totals = LifetimeTotals.of(service.metrics().registry());
        System.out.println("after the stop: sent " + sent + ", " + totals);
        assertTrue(totals.socketDrops() > 0, "the overload made the kernel drop (else this test proves nothing)");
        assertEquals(0, totals.discardedAtStop(), "the drain bound (shutdown-timeout / 3) was not reached");
        assertEquals(sent, totals.datagramsReceived() + totals.socketDrops(), "datagrams sent = received + socket drops, at the stop");
        assertEquals(totals.flowsDecoded(), totals.flowsDelivered() + totals.flowsDroppedTotal());
    }

    /** A tiny socket buffer and a tiny producer buffer, into a fresh topic of two partitions: overload on purpose. */
    private static SluiceConfig overloaded(KafkaBroker kafka, String topic, String policy) throws Exception {
        kafka.createTopic(topic, 2);
        return ConfigLoader.load(new String[] {
                "--config", "/dev/null",
                "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=2", "--listeners[0].rcvbuf=65536",
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--kafka.topic=" + topic, "--kafka.counters-topic=" + topic, "--kafka.drops-topic=" + topic,
                "--kafka.producer.buffer.memory=131072", "--kafka.producer.batch.size=16384",
                "--backpressure=" + policy, "--metrics.listen=127.0.0.1:0", "--batching.max-age=20ms"});
    }
}

package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.cli.Replayer;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.testing.Captures;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.SharedKafka;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The ledger (docs/ledger.md) under load: one NetFlow v5 exporter (softflowd's datagrams of 29 flows,
 * numbered as one continuous stream) sends faster than sluice keeps up, through a tiny socket buffer and
 * a tiny producer buffer, with every tenth datagram removed before sending. What the exporter says it
 * sent (its flow sequence) must equal, exactly, lost upstream + dropped by the kernel + decode errors +
 * dropped at the output + delivered to Kafka, all read from /metrics.
 */
@ExtendWith(SharedKafka.class)
class LedgerUnderLoadTest {
    static final int FLOWS = 29;
    static final int HEAD = 50;
    static final int BURST = 30_000;
    static final int TAIL = 50;

    @Test
    void sentBySequenceEqualsEveryTermOfTheLedger(KafkaBroker kafka) throws Exception {
        kafka.createTopic("ledger-flows", 2);
        SluiceConfig config = ConfigLoader.load(new String[] {
                "--config", "/dev/null",
                "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=2", "--listeners[0].rcvbuf=65536",
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--kafka.topic=ledger-flows", "--kafka.counters-topic=ledger-flows", "--kafka.drops-topic=ledger-flows",
                "--kafka.producer.buffer.memory=131072", "--kafka.producer.batch.size=16384",
                "--backpressure=drop", "--metrics.listen=127.0.0.1:0", "--batching.max-age=20ms",
                "--exporters.reorder-window=1s"});
        List<byte[]> base = new ArrayList<>();
        for (CapturedDatagram c : CaptureReader.read(Captures.bench().resolve("softflowd-nfv5.pcap"))) {
            byte[] p = c.payload();
            if (((p[2] & 0xFF) << 8 | (p[3] & 0xFF)) == FLOWS) base.add(p);
        }
        int total = HEAD + BURST + TAIL;
        List<byte[]> head = new ArrayList<>(), burst = new ArrayList<>(), tail = new ArrayList<>();
        long removed = 0;
        for (int i = 0; i < total; i++) {
            byte[] p = numbered(base.get(i % base.size()), i);
            if (i % 10 == 9 && i >= HEAD && i < HEAD + BURST) { // every tenth, never the first or last ones
                removed++;
                continue;
            }
            (i < HEAD ? head : i < HEAD + BURST ? burst : tail).add(p);
        }
        InetAddress from = InetAddress.getByAddress(new byte[] {127, 0, 0, 51});
        try (SluiceService service = SluiceService.start(config)) {
            InetSocketAddress to = service.listenerAddress(0);
            long sent = Replayer.send(head, to, from, 1000, 1).datagrams();
            sent += Replayer.send(burst, to, from, 0, 1).datagrams(); // as fast as the socket takes them
            Thread.sleep(1500);
            sent += Replayer.send(tail, to, from, 1000, 1).datagrams();
            String base0 = "http://127.0.0.1:" + service.metricsPort();
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            MetricsScrape m;
            while (true) {
                m = MetricsScrape.get(base0);
                boolean settled = m.sum("sluice_packets_received_total") + m.sum("sluice_socket_drops_total") == sent
                        && m.sum("sluice_exporter_sequence_pending") == 0
                        && m.sum("sluice_flows_decoded_total") == m.sum("sluice_kafka_records_sent_total") + m.sum("sluice_flows_dropped_total");
                if (settled || System.nanoTime() > deadline) break;
                Thread.sleep(200);
            }
            String e = "127.0.0.51";
            long expected = m.sum("sluice_exporter_sequence_expected_total", "exporter", e);
            long missing = m.sum("sluice_exporter_sequence_missing_total", "exporter", e);
            long late = m.sum("sluice_exporter_sequence_late_total", "exporter", e); // settled missing, then came (a stalled worker)
            long kernel = m.sum("sluice_socket_drops_total");
            long decodeErrors = m.sum("sluice_exporter_decode_errors_total", "exporter", e);
            long outputDropped = m.sum("sluice_flows_dropped_total");
            long delivered = m.sum("sluice_kafka_records_sent_total");
            long lostUpstream = missing - late - kernel * FLOWS; // docs/ledger.md: the one exporter of this listener owns its drops
            System.out.printf("ledger: sent by sequence %d flows = lost upstream %d + kernel %d datagrams x %d + decode errors %d"
                    + " + output dropped %d (%s) + delivered %d; late %d%n", expected, lostUpstream, kernel, FLOWS, decodeErrors,
                    outputDropped, m.text().lines().filter(l -> l.startsWith("sluice_flows_dropped_total{") && !l.endsWith(" 0.0")).toList(),
                    delivered, late);
            assertEquals((long) total * FLOWS, expected, "the exporter's flow sequence counts every flow it sent");
            assertEquals(sent, m.sum("sluice_packets_received_total") + kernel);
            assertTrue(kernel > 0, "the kernel dropped (else this test proves nothing)");
            assertEquals(removed * FLOWS, lostUpstream, "what was removed before sending is what is lost upstream");
            assertEquals(0, m.sum("sluice_exporter_sequence_duplicates_total") + m.sum("sluice_exporter_sequence_resets_total"));
            assertEquals(expected, lostUpstream + kernel * FLOWS + decodeErrors + outputDropped + delivered, "the ledger adds up");
            assertEquals(delivered, kafka.recordCount("ledger-flows"));
        }
    }

    /**
     * The datagram as the i-th of one continuous stream: flow sequence 29 * i, uptime 1 ms per 32 datagrams
     * (never back; about the send rate, as a real exporter's clock would be: 1 ms per datagram made a
     * datagram delayed by a second look 30 s old, an exporter restart).
     */
    static byte[] numbered(byte[] p, int i) {
        byte[] q = p.clone();
        put32(q, 4, 1_000_000L + i / 32);
        put32(q, 16, (long) FLOWS * i);
        return q;
    }

    static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}

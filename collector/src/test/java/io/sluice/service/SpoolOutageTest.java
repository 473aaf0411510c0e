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
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker stops under traffic and comes back (its own in-process broker, same port and data), sluice
 * running with {@code output.spool}: the flows Kafka cannot take go to the disk spool and are replayed,
 * so every decoded flow ends in Kafka (or, with a small spool, is counted as spool_full). Read from
 * /metrics and /healthz over HTTP and from the topic; the exporter is a real UDP socket sending the
 * NetFlow v5 capture, each copy with its own flow_sequence so that every flow in Kafka can be told apart.
 *
 * <p>Short by default (2000 datagrams/s, 3 s of outage); the long variant:
 * {@code -Dsluice.spool.rate=20000 -Dsluice.spool.outage-seconds=60 -Dsluice.spool.max-bytes=8589934592} (docs/spool.md); with
 * {@code -Dsluice.spool.idempotent=true} the producer runs with acks=all + idempotence.
 */
class SpoolOutageTest {
    private static final int FLOWS_PER_DATAGRAM = 29;
    private static final int RATE = Integer.getInteger("sluice.spool.rate", 2000);
    private static final int OUTAGE_SECONDS = Integer.getInteger("sluice.spool.outage-seconds", 3);
    /** -Dsluice.spool.idempotent=true: the producer with acks=all + enable.idempotence (docs/spool.md, "Duplicates"). */
    private static final boolean IDEMPOTENT = Boolean.getBoolean("sluice.spool.idempotent");
    /** The first test's spool bound: 60 s at 20k v5 datagrams/s spools ~5 GB. */
    private static final long MAX_BYTES = Long.getLong("sluice.spool.max-bytes", 1L << 30);
    private static final Duration SETTLE = Duration.ofSeconds(Math.max(120, 6L * OUTAGE_SECONDS * Math.max(1, RATE / 2000)));

    @TempDir
    Path spoolDir;

    private static final class Exporter {
        final byte[] template;
        final InetSocketAddress to;
        int next;

        Exporter(InetSocketAddress to) throws Exception {
            this.template = CaptureReader.read(Captures.file("akvorado/netflow/nfv5.pcap")).stream().map(CapturedDatagram::payload).toList().getFirst();
            this.to = to;
        }

        /** {@code n} datagrams, each the capture's with the next flow_sequence (bytes 16-19 of the v5 header). */
        void send(int n) throws Exception {
            int chunk = Math.max(1, RATE); // at most a second of datagrams in memory
            for (int done = 0; done < n; done += chunk) {
                List<byte[]> batch = new ArrayList<>();
                for (int i = 0; i < Math.min(chunk, n - done); i++) {
                    byte[] d = template.clone();
                    ByteBuffer.wrap(d).putInt(16, next++ * FLOWS_PER_DATAGRAM);
                    batch.add(d);
                }
                Replayer.send(batch, to, null, RATE, 1);
            }
        }
    }

    private record Health(int status, String body) {}

    private static Health health(String base) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/healthz"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        return new Health(r.statusCode(), r.body());
    }

    private SluiceConfig config(KafkaBroker kafka, String topic, long maxBytes) throws Exception {
        return ConfigLoader.load(new String[] {
                "--config", "/dev/null",
                "--kafka.producer.acks=" + (IDEMPOTENT ? "all" : "1"), "--kafka.producer.enable.idempotence=" + IDEMPOTENT,
                "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=2",
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "--kafka.topic=" + topic, "--kafka.counters-topic=" + topic, "--kafka.drops-topic=" + topic,
                "--kafka.producer.buffer.memory=" + (4 << 20), "--kafka.producer.batch.size=65536",
                "--kafka.producer.request.timeout.ms=1000", "--kafka.producer.delivery.timeout.ms=2000",
                "--kafka.producer.reconnect.backoff.max.ms=200",
                "--output.spool.directory=" + spoolDir, "--output.spool.max-bytes=" + maxBytes, "--output.spool.segment-bytes=" + Math.min(1 << 20, maxBytes / 4),
                "--backpressure=drop", "--metrics.listen=127.0.0.1:0", "--batching.max-age=20ms"});
    }

    /** What /metrics says, every 100 ms in the background: the peak of the spool and whether /healthz said "spooling". */
    private static final class Watch implements AutoCloseable {
        final AtomicLong peakRecords = new AtomicLong();
        final AtomicLong peakBytes = new AtomicLong();
        final AtomicBoolean saw503Spooling = new AtomicBoolean();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        Watch(String base) {
            thread = Thread.ofPlatform().daemon().start(() -> {
                while (running.get()) {
                    try {
                        MetricsScrape m = MetricsScrape.get(base);
                        peakRecords.accumulateAndGet(m.sum("sluice_spool_records"), Math::max);
                        peakBytes.accumulateAndGet(m.sum("sluice_spool_bytes"), Math::max);
                        Health h = health(base);
                        if (h.status() == 503 && h.body().contains("spooling")) saw503Spooling.set(true);
                        Thread.sleep(100);
                    } catch (Exception e) {
                        // the next round
                    }
                }
            });
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join();
        }
    }

    /** Waits until every decoded flow is sent, dropped or in the spool, and the spool is empty. */
    private static MetricsScrape settle(String base, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        MetricsScrape m;
        do {
            Thread.sleep(100);
            m = MetricsScrape.get(base);
            boolean settled = m.sum("sluice_spool_records") == 0
                    && m.sum("sluice_flows_decoded_total") == m.sum("sluice_kafka_records_sent_total") + m.sum("sluice_flows_dropped_total");
            if (settled) return m;
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not settled within " + timeout + ": spool " + m.sum("sluice_spool_records") + " records, decoded "
                + m.sum("sluice_flows_decoded_total") + ", sent " + m.sum("sluice_kafka_records_sent_total") + ", dropped "
                + m.sum("sluice_flows_dropped_total"));
    }

    /** The topic's records as 64-bit hashes of their values (a flow is told apart by its datagram's sequence and its index), sorted. */
    private record Copies(long records, long distinct) {
        long duplicates() {
            return records - distinct;
        }
    }

    private static Copies copies(KafkaBroker kafka, String topic) {
        long[][] hashes = {new long[1 << 16]};
        int[] n = {0};
        kafka.forEachRecord(topic, r -> {
            java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
            crc.update(r.value());
            if (n[0] == hashes[0].length) hashes[0] = java.util.Arrays.copyOf(hashes[0], n[0] * 2);
            hashes[0][n[0]++] = ((long) java.util.Arrays.hashCode(r.value()) << 32) | crc.getValue();
        });
        long[] h = java.util.Arrays.copyOf(hashes[0], n[0]);
        java.util.Arrays.sort(h);
        long distinct = 0;
        for (int i = 0; i < h.length; i++) if (i == 0 || h[i] != h[i - 1]) distinct++;
        return new Copies(h.length, distinct);
    }

    /** The producer's own retries of records (its JMX metric record-retry-total): with acks=1 each may duplicate one. */
    private static long producerRecordRetries() throws Exception {
        javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
        long sum = 0;
        var names = jmx.queryNames(new javax.management.ObjectName("kafka.producer:type=producer-metrics,client-id=sluice*"), null);
        assertTrue(!names.isEmpty(), "the producer's JMX metrics");
        for (javax.management.ObjectName n : names) {
            sum += ((Number) jmx.getAttribute(n, "record-retry-total")).longValue();
        }
        return sum;
    }

    @Test
    void everyFlowOfABrokerOutageIsSpooledAndReplayedIntoKafka() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("spool-outage", 2);
            try (SluiceService service = SluiceService.start(config(kafka, "spool-outage", MAX_BYTES))) {
                String base = "http://127.0.0.1:" + service.metricsPort();
                Exporter exporter = new Exporter(service.listenerAddress(0));
                exporter.send(100);
                kafka.awaitRecordCount("spool-outage", 100 * FLOWS_PER_DATAGRAM, Duration.ofSeconds(30));
                assertEquals(200, health(base).status());
                Copies healthy = copies(kafka, "spool-outage");
                assertEquals(100 * FLOWS_PER_DATAGRAM, healthy.distinct(), "each flow of the capture copies is told apart by its value");

                MetricsScrape m;
                try (Watch watch = new Watch(base)) {
                    kafka.stop();
                    long t0 = System.nanoTime();
                    exporter.send(RATE * OUTAGE_SECONDS);
                    Thread.sleep(2500); // the producer gives the queued flows up (delivery.timeout.ms 2 s): they are spooled
                    MetricsScrape during = MetricsScrape.get(base);
                    assertTrue(during.sum("sluice_spool_records") > 0, "flows went to the spool");
                    assertEquals(0, during.sum("sluice_flows_dropped_total"), "nothing dropped");
                    Health h = health(base);
                    assertEquals(503, h.status());
                    assertTrue(h.body().contains("spooling"), h.body());
                    kafka.restart();
                    System.out.printf("outage of %d ms: spool %d records, %d bytes, oldest %d s%n", (System.nanoTime() - t0) / 1_000_000,
                            during.sum("sluice_spool_records"), during.sum("sluice_spool_bytes"), during.sum("sluice_spool_oldest_age_seconds"));
                    exporter.send(RATE); // live traffic while the spool drains
                    long t1 = System.nanoTime();
                    m = settle(base, SETTLE);
                    System.out.printf("drained %d ms after the restart; peak %d records, %d bytes; replayed %d, retries %d, written refused %d failed %d%n",
                            (System.nanoTime() - t1) / 1_000_000, watch.peakRecords.get(), watch.peakBytes.get(),
                            m.sum("sluice_spool_replayed_records_total"), m.sum("sluice_spool_replay_retries_total"),
                            m.sum("sluice_spool_written_records_total", "cause", "refused"), m.sum("sluice_spool_written_records_total", "cause", "failed"));
                    assertTrue(watch.saw503Spooling.get(), "/healthz said 503 'spooling' during the outage");
                    assertTrue(watch.peakRecords.get() > 0);
                }
                long decoded = m.sum("sluice_flows_decoded_total");
                long socketDrops = m.sum("sluice_socket_drops_total"); // 0 at the default rate; the long variant may overrun the workers
                assertEquals((exporter.next - socketDrops) * FLOWS_PER_DATAGRAM, decoded, "every datagram read was decoded");
                System.out.printf("sent %d datagrams, socket drops %d, decoded %d flows%n", exporter.next, socketDrops, decoded);
                assertEquals(0, m.sum("sluice_flows_dropped_total"), "nothing dropped");
                assertEquals(decoded, m.sum("sluice_kafka_records_sent_total"), "every flow sent (replayed ones included)");
                assertTrue(m.sum("sluice_kafka_records_sent_total", "listener", "spool") > 0, "some were sent by the replay");
                assertEquals(m.sum("sluice_spool_written_records_total"), m.sum("sluice_spool_replayed_records_total"));
                assertEquals(0, m.sum("sluice_spool_bytes"), "the spool's files are gone");
                assertEquals(0, m.sum("sluice_spool_oldest_age_seconds"));
                assertEquals(0, m.sum("sluice_spool_corrupt_records_total"));

                Copies copies = copies(kafka, "spool-outage");
                long inKafka = copies.records();
                long duplicates = copies.duplicates();
                // docs/spool.md: the spool's cases, plus (acks=1 without idempotence) the producer's own retries
                long producerRetries = producerRecordRetries();
                long bound = m.sum("sluice_spool_written_records_total", "cause", "failed") + m.sum("sluice_spool_replay_retries_total")
                        + producerRetries;
                System.out.printf("in Kafka %d records, %d distinct flows, %d duplicates (bound %d, of which producer retries %d)%n",
                        inKafka, copies.distinct(), duplicates, bound, producerRetries);
                assertEquals(decoded, copies.distinct(), "every decoded flow is in Kafka");
                assertTrue(duplicates <= bound, "duplicates within the documented bound: " + duplicates + " > " + bound);

                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (health(base).status() != 200 && System.nanoTime() < deadline) {
                    exporter.send(10);
                    Thread.sleep(200);
                }
                assertEquals(200, health(base).status(), "/healthz recovers once the spool is empty");
            }
        }
    }

    /** A spool too small for the outage: what does not fit is dropped as spool_full, counted exactly. */
    @Test
    void withASmallSpoolTheOverflowIsCountedExactly() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("spool-small", 2);
            try (SluiceService service = SluiceService.start(config(kafka, "spool-small", 256 << 10))) {
                String base = "http://127.0.0.1:" + service.metricsPort();
                Exporter exporter = new Exporter(service.listenerAddress(0));
                exporter.send(10);
                kafka.awaitRecordCount("spool-small", 10 * FLOWS_PER_DATAGRAM, Duration.ofSeconds(30));
                kafka.stop();
                exporter.send(RATE * OUTAGE_SECONDS);
                Thread.sleep(2500);
                MetricsScrape during = MetricsScrape.get(base);
                assertTrue(during.sum("sluice_spool_bytes") <= 256 << 10, "bounded by max-bytes: " + during.sum("sluice_spool_bytes"));
                kafka.restart();
                MetricsScrape m = settle(base, Duration.ofSeconds(120));
                long decoded = m.sum("sluice_flows_decoded_total");
                long sent = m.sum("sluice_kafka_records_sent_total");
                long full = m.sum("sluice_flows_dropped_total", "reason", "spool_full");
                System.out.printf("decoded %d, sent %d, spool_full %d, replayed %d%n", decoded, sent, full, m.sum("sluice_spool_replayed_records_total"));
                assertEquals((long) exporter.next * FLOWS_PER_DATAGRAM, decoded);
                assertTrue(full > 0, "the spool overflowed");
                assertEquals(full, m.sum("sluice_flows_dropped_total"), "nothing dropped for another reason");
                assertEquals(decoded, sent + full, "sent + dropped(spool_full) = decoded");
                assertTrue(m.sum("sluice_spool_replayed_records_total") > 0);
                Copies copies = copies(kafka, "spool-small");
                assertEquals(sent, copies.distinct(), "what is counted as sent is in Kafka");
                assertTrue(copies.duplicates() <= m.sum("sluice_spool_written_records_total", "cause", "failed")
                        + m.sum("sluice_spool_replay_retries_total") + producerRecordRetries(), "duplicates within the bound: " + copies.duplicates());
                Health h = health(base);
                assertEquals(503, h.status());
                assertTrue(h.body().contains("spool_full=" + full), "/healthz names the overflow: " + h.body());
            }
        }
    }
}

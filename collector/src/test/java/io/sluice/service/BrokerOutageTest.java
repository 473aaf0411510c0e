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
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The broker stops while sluice receives (its own in-process broker, restarted later on the same port
 * and data): with policy drop sluice keeps reading and decoding, counts what it cannot deliver, keeps
 * the backlog bounded by the producer buffer, reports 503 on /healthz; when the broker is back the same
 * producer delivers again without a restart. Everything read from /metrics over HTTP and from the broker.
 */
class BrokerOutageTest {
    private static final int FLOWS_PER_DATAGRAM = 29; // NetFlow v5 capture
    private static final int BUFFER = 1 << 20;

    private record Books(long received, long decoded, long sent, long dropped, long unavailable, long timeout, long bufferFull) {
        long pending() {
            return decoded - sent - dropped;
        }
    }

    private static Books books(String base) throws Exception {
        MetricsScrape m = MetricsScrape.get(base);
        return new Books(m.sum("sluice_packets_received_total"), m.sum("sluice_flows_decoded_total"),
                m.sum("sluice_kafka_records_sent_total"), m.sum("sluice_flows_dropped_total"),
                m.sum("sluice_flows_dropped_total", "reason", "unavailable"), m.sum("sluice_flows_dropped_total", "reason", "timeout"),
                m.sum("sluice_flows_dropped_total", "reason", "buffer_full"));
    }

    @Test
    void sluiceKeepsReceivingCountsDropsAndResumesWhenTheBrokerReturns() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("outage-flows", 2);
            SluiceConfig config = ConfigLoader.load(new String[] {
                    "--config", "/dev/null",
                    "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=2",
                    "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                    "--kafka.topic=outage-flows", "--kafka.counters-topic=outage-flows", "--kafka.drops-topic=outage-flows",
                    "--kafka.producer.buffer.memory=" + BUFFER, "--kafka.producer.batch.size=65536",
                    "--kafka.producer.request.timeout.ms=1000", "--kafka.producer.delivery.timeout.ms=2000",
                    "--kafka.producer.reconnect.backoff.max.ms=200",
                    "--backpressure=drop", "--metrics.listen=127.0.0.1:0", "--batching.max-age=20ms"});
            List<byte[]> nfv5 = CaptureReader.read(Captures.file("akvorado/netflow/nfv5.pcap")).stream()
                    .map(CapturedDatagram::payload).toList();
            try (SluiceService service = SluiceService.start(config)) {
                InetSocketAddress to = service.listenerAddress(0);
                String base = "http://127.0.0.1:" + service.metricsPort();

                // 1. healthy
                Replayer.send(nfv5, to, null, 2000, 100);
                assertEquals(100 * FLOWS_PER_DATAGRAM, kafka.awaitRecordCount("outage-flows", 100 * FLOWS_PER_DATAGRAM, Duration.ofSeconds(30)));
                assertEquals(200, MetricsScrape.status(base + "/healthz"));

                // 2. the broker goes away; the exporter keeps sending for 3 s
                kafka.stop();
                Books before = books(base);
                Replayer.send(nfv5, to, null, 2000, 6000);
                Thread.sleep(300); // let the workers finish the last datagrams
                Books during = books(base);
                long heap = MetricsScrape.get(base).sum("jvm_memory_used_bytes", "area", "heap");
                System.out.printf("outage: received %d more datagrams, decoded %d more flows, sent %d, dropped %d (unavailable %d, buffer_full %d, timeout %d), pending %d, heap %d MiB%n",
                        during.received() - before.received(), during.decoded() - before.decoded(), during.sent() - before.sent(),
                        during.dropped() - before.dropped(), during.unavailable(), during.bufferFull(), during.timeout(), during.pending(), heap >> 20);
                assertTrue(during.received() - before.received() > 3000, "sluice kept reading its socket");
                assertEquals((during.received() - before.received()) * FLOWS_PER_DATAGRAM, during.decoded() - before.decoded(), "and decoding");
                assertTrue(during.dropped() - before.dropped() > 0, "undeliverable flows are counted as dropped");
                // bounded: the producer buffer (a flow takes ≥ 24 bytes in it) plus one 4096-flow batch per worker
                assertTrue(during.pending() <= BUFFER / 24 + 2 * 4096, "backlog bounded by buffer.memory: " + during.pending());
                assertEquals(503, MetricsScrape.status(base + "/healthz"), "/healthz reports the outage");

                // 3. the broker returns; the exporter goes on sending; the same service delivers again
                kafka.restart();
                long inKafkaBefore = kafka.recordCount("outage-flows");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                Books after = books(base);
                long resumedAfterMs = -1;
                long t0 = System.nanoTime();
                while (System.nanoTime() < deadline) {
                    Replayer.send(nfv5, to, null, 2000, 100);
                    after = books(base);
                    if (after.sent() - during.sent() >= 100 * FLOWS_PER_DATAGRAM) {
                        resumedAfterMs = (System.nanoTime() - t0) / 1_000_000;
                        break;
                    }
                }
                while (after.pending() != 0 && System.nanoTime() < deadline) { // the last batches settle
                    Thread.sleep(50);
                    after = books(base);
                }
                System.out.printf("after: delivery resumed %d ms after the restart; sent %d more, pending %d%n",
                        resumedAfterMs, after.sent() - during.sent(), after.pending());
                assertTrue(resumedAfterMs >= 0, "delivery resumed without a restart of sluice");
                assertEquals(0, after.pending(), "every decoded flow is sent or counted as dropped");
                assertTrue(kafka.recordCount("outage-flows") - inKafkaBefore >= 100 * FLOWS_PER_DATAGRAM);
                // /healthz stays 503 for DropWatch's window after the last drop, then recovers by itself
                long healthDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (MetricsScrape.status(base + "/healthz") != 200 && System.nanoTime() < healthDeadline) Thread.sleep(250);
                assertEquals(200, MetricsScrape.status(base + "/healthz"), "/healthz recovers");
                assertTrue(kafka.recordCount("outage-flows") >= after.sent(), "every flow counted as sent is in Kafka");
            }
        }
    }
}

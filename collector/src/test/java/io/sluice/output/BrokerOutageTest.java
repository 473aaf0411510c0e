package io.sluice.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.flow.FlowRecord;
import io.sluice.testing.KafkaBroker;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away under load and comes back (its own in-process broker, restarted on the same
 * port and data): with policy drop the workers never wait, what cannot be queued or delivered is
 * counted, the queue stays bounded by buffer.memory, and delivery resumes without a new producer.
 */
class BrokerOutageTest {
    private static final int BUFFER = 1 << 20;

    private static FlowRecord flow(long i) {
        FlowRecord r = new FlowRecord();
        r.type = 4;
        r.exporterAddress.setV4(0x0a000001);
        r.srcAddr.setV4((int) i);
        r.dstAddr.setV4(0x08080808);
        r.srcPort = (int) (i & 0xffff);
        r.dstPort = 443;
        r.proto = 6;
        r.bytes = 1500;
        r.packets = 1;
        r.sequenceNum = i;
        return r;
    }

    @Test
    void dropsAreCountedWhileTheBrokerIsDownAndDeliveryResumesWhenItReturns() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("outage", 2);
            Map<String, String> producer = Map.of(
                    "buffer.memory", String.valueOf(BUFFER),
                    "batch.size", "65536",
                    "linger.ms", "5",
                    "request.timeout.ms", "1000",
                    "delivery.timeout.ms", "2000",
                    "reconnect.backoff.max.ms", "200");
            KafkaSettings settings = new KafkaSettings(kafka.bootstrapServers(), "outage", "outage", producer,
                    PartitionKey.RANDOM, BackpressurePolicy.DROP, Duration.ofSeconds(10));
            try (KafkaOutput output = KafkaOutput.open(settings)) {
                WorkerOutput w = output.forWorker("test", 0);
                BatchingFlowSink sink = new BatchingFlowSink(new FlowBatch(4096, PartitionKey.RANDOM), w, 50_000_000L);
                OutputStats stats = w.stats();
                long handed = 0;

                // 1. healthy: everything is delivered
                for (int i = 0; i < 10_000; i++) sink.flow(flow(handed++));
                sink.flush();
                output.flush(Duration.ofSeconds(30));
                assertEquals(handed, stats.flowsSent());
                assertTrue(output.ready());

                // 2. the broker stops; the worker keeps handing over flows, never blocking
                long t = System.nanoTime();
                kafka.stop();
                System.out.printf("broker stopped in %d ms%n", (System.nanoTime() - t) / 1_000_000);
                long outageStart = handed;
                long maxPending = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                while (System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < 4096; i++) sink.flow(flow(handed++));
                    long sendNanos = System.nanoTime() - t0;
                    assertTrue(sendNanos < Duration.ofSeconds(2).toNanos(), "policy drop must not block the worker: " + sendNanos / 1_000_000 + " ms");
                    long pending = handed - stats.flowsSent() - stats.totalDropped();
                    maxPending = Math.max(maxPending, pending);
                    Thread.sleep(5);
                }
                long outageFlows = handed - outageStart;
                long droppedFull = stats.dropped(DropReason.BUFFER_FULL);
                long droppedUnavailable = stats.dropped(DropReason.UNAVAILABLE);
                long droppedTimeout = stats.dropped(DropReason.TIMEOUT);
                System.out.printf("outage: %d flows handed over, dropped: %d buffer full, %d unavailable, %d timeout; max pending %d%n",
                        outageFlows, droppedFull, droppedUnavailable, droppedTimeout, maxPending);
                // queued flows expire (timeout); new ones are refused at once (no room, or no metadata)
                assertTrue(droppedFull + droppedUnavailable > 0, "flows refused while the broker is down are counted");
                assertTrue(outageFlows - (droppedFull + droppedUnavailable + droppedTimeout) <= maxPending,
                        "each flow of the outage is pending or counted as dropped");
                assertTrue(stats.errors() > 0);
                assertFalse(output.ready(), "/healthz reports the failing output");
                // bounded: a flow takes ≥ 24 bytes of the producer buffer (record + batch overhead), plus one worker batch
                assertTrue(maxPending <= BUFFER / 24 + 4096, "pending flows bounded by buffer.memory: " + maxPending);

                // 3. the broker returns on the same port; the same producer delivers again
                t = System.nanoTime();
                kafka.restart();
                System.out.printf("broker restarted in %d ms%n", (System.nanoTime() - t) / 1_000_000);
                long sentBefore = stats.flowsSent();
                long droppedBefore = stats.totalDropped();
                for (int i = 0; i < 10_000; i++) sink.flow(flow(handed++));
                sink.flush();
                long resumeDeadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (handed - stats.flowsSent() - stats.totalDropped() > 0 && System.nanoTime() < resumeDeadline) Thread.sleep(20);
                System.out.printf("resumed in %d ms%n", (System.nanoTime() - t) / 1_000_000);
                output.flush(Duration.ofSeconds(30));
                assertEquals(handed, stats.flowsSent() + stats.totalDropped(), "every flow is sent or counted as dropped");
                assertTrue(stats.flowsSent() - sentBefore >= 10_000 - (stats.totalDropped() - droppedBefore),
                        "delivery resumed");
                // the 10000 handed over after the restart: at most the buffered backlog ahead of them may still time out
                assertTrue(stats.flowsSent() - sentBefore >= 5_000, "delivery resumed: " + (stats.flowsSent() - sentBefore));
                assertTrue(output.ready(), "/healthz recovers");
                long inKafka = kafka.recordCount("outage");
                assertTrue(inKafka >= stats.flowsSent(), "every flow counted as sent is in Kafka: " + inKafka + " < " + stats.flowsSent());
            }
        }
    }
}

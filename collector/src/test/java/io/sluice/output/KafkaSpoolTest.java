package io.sluice.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.flow.pb.FlowMessage;
import io.sluice.output.spool.KafkaSpool;
import io.sluice.output.spool.SpoolEntry;
import io.sluice.output.spool.SpoolStore;
import io.sluice.output.spool.SpoolSettings;
import io.sluice.pipeline.BatchingFlowSink;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.SharedKafka;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka output with its disk spool, against real brokers: what Kafka does not take now is delivered later, once. */
@ExtendWith(SharedKafka.class)
class KafkaSpoolTest {
    @TempDir
    Path dir;

    private static void send(WorkerOutput w, int from, int to) {
        BatchingFlowSink sink = new BatchingFlowSink(new FlowBatch(4096, PartitionKey.EXPORTER), w, 100_000_000L);
        for (int i = from; i < to; i++) sink.flow(KafkaOutputTest.flow(i));
        sink.flush();
    }

    /** Per sequence number, how many times it is in the topic. */
    private static Map<Integer, Integer> copies(KafkaBroker kafka, String topic) {
        Map<Integer, Integer> n = new HashMap<>();
        kafka.forEachRecord(topic, r -> {
            try {
                n.merge(FlowMessage.parseDelimitedFrom(new ByteArrayInputStream(r.value())).getSequenceNum(), 1, Integer::sum);
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        });
        return n;
    }

    private static void await(BooleanSupplier condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + timeout + ": " + what);
            Thread.sleep(20);
        }
    }

    private SpoolSettings spool() {
        return new SpoolSettings(dir.toString(), 1L << 30, 1L << 20);
    }

    /** Slower than the input: a 64 KiB producer buffer refuses most of 100,000 flows; the spool takes them, the replay delivers them. */
    @Test
    void aFullBufferSpoolsInsteadOfDroppingAndTheReplayDeliversEachFlowOnce(KafkaBroker kafka) throws Exception {
        kafka.createTopic("spool-full", 2);
        Map<String, String> small = Map.of("buffer.memory", "65536", "batch.size", "16384", "linger.ms", "0");
        int flows = 100_000;
        try (KafkaOutput output = KafkaOutput.open(KafkaOutputTest.settings(kafka, "spool-full", "spool-full", PartitionKey.EXPORTER, small), spool())) {
            KafkaSpool spool = output.spool();
            WorkerOutput w = output.forWorker("test", 0);
            send(w, 0, flows);
            output.flush(Duration.ofSeconds(30));
            assertTrue(spool.writtenRefused() > 0, "the full buffer sent flows to the spool");
            await(() -> spool.records() == 0, Duration.ofSeconds(60), "the spool drains: " + spool.records() + " left");
            output.flush(Duration.ofSeconds(30));
            assertEquals(0, w.stats().totalDropped() + spool.replayStats().totalDropped(), "nothing dropped");
            assertEquals(flows, w.stats().flowsSent() + spool.replayStats().flowsSent(), "live + replayed = every flow");
            assertEquals(spool.writtenRefused() + spool.writtenFailed(), spool.replayedRecords(), "every spooled record replayed");
            assertEquals(0, spool.bytes());
            assertNull(spool.unhealthy(), "healthy once drained");
        }
        Map<Integer, Integer> copies = copies(kafka, "spool-full");
        assertEquals(flows, copies.size(), "every flow is in Kafka");
        // refused records were never sent: none can be there twice
        assertTrue(copies.values().stream().allMatch(c -> c == 1), "no duplicate");
    }

    /**
     * The broker goes away: flows queued in the producer fail and are spooled, the output closes (what it
     * still holds goes to the spool too); a new output on the same directory, with the broker back, replays them.
     */
    @Test
    void aSpoolLeftByAClosedOutputIsReplayedByTheNextOne() throws Exception {
        try (KafkaBroker kafka = KafkaBroker.start()) {
            kafka.createTopic("spool-restart", 2);
            Map<String, String> quick = Map.of("request.timeout.ms", "1000", "delivery.timeout.ms", "2000", "reconnect.backoff.max.ms", "200");
            KafkaSettings settings = KafkaOutputTest.settings(kafka, "spool-restart", "spool-restart", PartitionKey.EXPORTER, quick);
            int before = 1000;
            int during = 20_000;
            try (KafkaOutput first = KafkaOutput.open(settings, spool())) {
                WorkerOutput w = first.forWorker("test", 0);
                send(w, 0, before);
                first.flush(Duration.ofSeconds(30));
                assertEquals(before, w.stats().flowsSent());
                kafka.stop();
                send(w, before, before + during);
                KafkaSpool spool = first.spool();
                await(() -> spool.records() > 0, Duration.ofSeconds(30), "failed deliveries are spooled");
                assertTrue(spool.unhealthy().startsWith("spooling: "), spool.unhealthy());
                first.close(Duration.ofSeconds(1)); // the rest is aborted by the close: spooled as well
                assertEquals(during, spool.records(), "every flow of the outage is in the spool");
                assertEquals(0, w.stats().totalDropped());
            }
            try (Stream<Path> files = Files.list(dir)) {
                assertTrue(files.anyMatch(p -> p.toString().endsWith(".seg")), "segments left for the next process");
            }
            kafka.restart();
            try (KafkaOutput second = KafkaOutput.open(settings, spool())) {
                KafkaSpool spool = second.spool();
                assertEquals(during, spool.recoveredFlows());
                // the replayer acknowledges a record in the store before it counts it sent (SpoolReplayer.completed,
                // on the producer's thread): wait for the count, then nothing may be left
                await(() -> spool.replayStats().flowsSent() >= during, Duration.ofSeconds(60),
                        "the next output replays the spool: " + spool.records() + " left");
                assertEquals(during, spool.replayStats().flowsSent());
                assertEquals(0, spool.records());
                assertEquals(0, spool.bytes());
            }
            Map<Integer, Integer> copies = copies(kafka, "spool-restart");
            assertEquals(before + during, copies.size(), "every flow is in Kafka");
            // the broker was stopped: nothing of the outage was written, so nothing can be there twice
            assertTrue(copies.values().stream().allMatch(c -> c == 1), "no duplicate");
        }
    }

    /**
     * A handover: the predecessor still holds the directory with records in it; the successor's output
     * opens without it (refusals counted as without a spool), takes it over once the predecessor lets go,
     * and replays what it left.
     */
    @Test
    void theSuccessorTakesTheDirectoryOverWhenThePredecessorReleasesIt(KafkaBroker kafka) throws Exception {
        kafka.createTopic("spool-handover", 1);
        SpoolStore predecessor = SpoolStore.open(dir, spool());
        for (int i = 0; i < 100; i++) predecessor.append(SpoolEntry.FLOWS, 1, null, ("left-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try (KafkaOutput successor = KafkaOutput.open(KafkaOutputTest.settings(kafka, "spool-handover", "spool-handover", PartitionKey.RANDOM, Map.of()), spool())) {
            KafkaSpool spool = successor.spool();
            assertTrue(!spool.attached(), "the directory is the predecessor's");
            assertNull(spool.unhealthy());
            Thread.sleep(700);
            assertEquals(0, kafka.recordCount("spool-handover"), "nothing replayed while the predecessor holds it");
            predecessor.close();
            await(spool::attached, Duration.ofSeconds(10), "taken over");
            assertEquals(100, spool.recoveredFlows());
            await(() -> spool.records() == 0, Duration.ofSeconds(30), "replayed");
            assertEquals(100, kafka.awaitRecordCount("spool-handover", 100, Duration.ofSeconds(10)));
            java.util.List<String> values = kafka.readAll("spool-handover").stream()
                    .map(r -> new String(r.value(), java.nio.charset.StandardCharsets.UTF_8)).toList();
            for (int i = 0; i < 100; i++) assertEquals("left-" + i, values.get(i), "in spool order (one partition)");
        }
    }

    /** A directory sluice cannot use is a startup error naming output.spool.directory, not a spool silently off. */
    @Test
    void anUnusableDirectoryIsAStartupErrorNamingTheSetting(KafkaBroker kafka) throws Exception {
        kafka.createTopic("spool-bad", 1);
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        OutputUnavailableException e = org.junit.jupiter.api.Assertions.assertThrows(OutputUnavailableException.class, () -> KafkaOutput.open(
                KafkaOutputTest.settings(kafka, "spool-bad", "spool-bad", PartitionKey.RANDOM, Map.of()), spool().withDirectory(file.toString())));
        assertEquals("output.spool.directory", e.setting());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }
}

package io.sluice.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.flow.FlowRecord;
import io.sluice.flow.pb.CounterMessage;
import io.sluice.flow.pb.FlowMessage;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.SharedKafka;
import io.sluice.pipeline.BatchingFlowSink;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Kafka output against a real in-process broker. */
@ExtendWith(SharedKafka.class)
class KafkaOutputTest {

    static KafkaSettings settings(KafkaBroker kafka, String topic, String counters, PartitionKey key, Map<String, String> extra) {
        return settings(kafka, topic, counters, counters, key, extra);
    }

    static KafkaSettings settings(KafkaBroker kafka, String topic, String counters, String drops, PartitionKey key, Map<String, String> extra) {
        return new KafkaSettings(kafka.bootstrapServers(), topic, counters, drops, extra, key, BackpressurePolicy.DROP, Duration.ofSeconds(10));
    }

    /** Flow {@code i}: one of three exporters, told apart by its source address and sequence number (also KafkaSpoolTest's). */
    static FlowRecord flow(int i) {
        FlowRecord r = new FlowRecord();
        r.type = 4;
        r.exporterAddress.setV4(0x0a000000 | (i % 3));
        r.srcAddr.setV4(0xc0a80000 | i);
        r.dstAddr.setV4(0x08080808);
        r.srcPort = 1000 + i;
        r.dstPort = 53;
        r.proto = 17;
        r.bytes = 100 + i;
        r.packets = 1;
        r.sequenceNum = i;
        return r;
    }

    @Test
    void batchesArriveAsOneFlowMessagePerRecordKeyedByExporter(KafkaBroker kafka) throws Exception {
        kafka.createTopic("out-flows", 3);
        kafka.createTopic("out-counters", 1);
        int flows = 10_000;
        try (KafkaOutput output = KafkaOutput.open(settings(kafka, "out-flows", "out-counters", PartitionKey.EXPORTER, Map.of()))) {
            WorkerOutput w = output.forWorker("test", 0);
            BatchingFlowSink sink = new BatchingFlowSink(new FlowBatch(4096, PartitionKey.EXPORTER), w, 100_000_000L);
            for (int i = 0; i < flows; i++) sink.flow(flow(i));
            assertEquals(2, sink.batchesHandedOver(), "4096-flow batches handed over when full");
            sink.flush();
            sink.counters(CounterMessage.newBuilder().setSequenceNum(7).setAgentAddress(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3, 4})).build());
            output.flush(Duration.ofSeconds(30));
            assertEquals(flows, w.stats().flowsSent());
            assertEquals(1, w.stats().countersSent());
            assertEquals(0, w.stats().totalDropped());
            assertTrue(output.ready());
        }
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll("out-flows");
        assertEquals(flows, records.size());
        Set<Long> seqs = new HashSet<>();
        Map<String, Integer> partitionOfExporter = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            FlowMessage m = FlowMessage.parseDelimitedFrom(new java.io.ByteArrayInputStream(r.value())); // goflow2 v2 framing
            seqs.add(Integer.toUnsignedLong(m.getSequenceNum()));
            assertArrayEquals(m.getExporterAddress().toByteArray(), r.key());
            Integer before = partitionOfExporter.put(m.getExporterAddress().toStringUtf8(), r.partition());
            if (before != null) assertEquals(before, r.partition(), "one exporter, one partition");
            int i = m.getSequenceNum();
            assertEquals(flow(i).bytes, m.getBytes());
            assertEquals(1000 + i, m.getSrcPort());
        }
        assertEquals(flows, seqs.size(), "every flow exactly once");
        List<ConsumerRecord<byte[], byte[]>> counters = kafka.readAll("out-counters");
        assertEquals(1, counters.size());
        assertEquals(7, CounterMessage.parseDelimitedFrom(new java.io.ByteArrayInputStream(counters.get(0).value())).getSequenceNum());
    }

    @Test
    void aFullProducerBufferDropsAndCountsInsteadOfQueueing(KafkaBroker kafka) throws Exception {
        kafka.createTopic("out-full", 1);
        // 64 KiB of producer buffer cannot hold 100000 flows handed over in a tight loop
        Map<String, String> small = Map.of("buffer.memory", "65536", "batch.size", "16384", "linger.ms", "0");
        try (KafkaOutput output = KafkaOutput.open(settings(kafka, "out-full", "out-full", PartitionKey.RANDOM, small))) {
            WorkerOutput w = output.forWorker("test", 0);
            BatchingFlowSink sink = new BatchingFlowSink(new FlowBatch(4096, PartitionKey.RANDOM), w, 100_000_000L);
            int flows = 100_000;
            for (int i = 0; i < flows; i++) sink.flow(flow(i));
            sink.flush();
            output.flush(Duration.ofSeconds(30));
            OutputStats s = w.stats();
            assertTrue(s.dropped(DropReason.BUFFER_FULL) > 0, "buffer full drops counted");
            assertEquals(0, s.errors(), "a full buffer is backpressure, not a Kafka error");
            assertEquals(flows, s.flowsSent() + s.totalDropped(), "every flow sent or counted as dropped");
            assertEquals(s.flowsSent(), kafka.recordCount("out-full"), "what is counted as sent is what Kafka holds");
        }
    }

    @Test
    void unreachableBrokerIsAConfigErrorWithinTheStartupTimeout() {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        KafkaSettings s = new KafkaSettings("127.0.0.1:" + port, "f", "c", "d", Map.of(), PartitionKey.RANDOM, BackpressurePolicy.DROP, Duration.ofSeconds(2));
        long t0 = System.nanoTime();
        OutputUnavailableException e = assertThrows(OutputUnavailableException.class, () -> KafkaOutput.open(s));
        assertEquals("bootstrap-servers", e.setting());
        assertTrue(e.getMessage().contains("no Kafka broker answered"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(15).toNanos(), "bounded wait");
    }

    @Test
    void missingTopicIsNamed(KafkaBroker kafka) {
        kafka.createTopic("out-present", 1);
        OutputUnavailableException e = assertThrows(OutputUnavailableException.class,
                () -> KafkaOutput.open(settings(kafka, "out-absent", "out-present", PartitionKey.RANDOM, Map.of())));
        assertEquals("topic", e.setting());
        assertTrue(e.getMessage().contains("'out-absent' does not exist: create it with kafka-topics.sh --bootstrap-server "
                + kafka.bootstrapServers() + " --create --topic out-absent"), e.getMessage());
    }

    @Test
    void missingDropsTopicIsNamed(KafkaBroker kafka) {
        kafka.createTopic("out-drops-flows", 1);
        OutputUnavailableException e = assertThrows(OutputUnavailableException.class, () -> KafkaOutput.open(
                settings(kafka, "out-drops-flows", "out-drops-flows", "out-drops-absent", PartitionKey.RANDOM, Map.of())));
        assertEquals("drops-topic", e.setting());
        assertTrue(e.getMessage().contains("'out-drops-absent' does not exist"), e.getMessage());
    }

    @Test
    void dropNotificationsGoToTheDropsTopicKeyedByAgentFramedLikeFlows(KafkaBroker kafka) throws Exception {
        kafka.createTopic("out-d-flows", 1);
        kafka.createTopic("out-d-drops", 1);
        byte[] agent = {10, 0, 0, 9};
        OutputStats stats;
        try (KafkaOutput output = KafkaOutput.open(settings(kafka, "out-d-flows", "out-d-flows", "out-d-drops", PartitionKey.RANDOM, Map.of()))) {
            WorkerOutput w = output.forWorker("test", 0);
            w.drop(io.sluice.flow.pb.DropMessage.newBuilder().setAgentAddress(com.google.protobuf.ByteString.copyFrom(agent))
                    .setSequenceNum(42).build());
            output.flush(Duration.ofSeconds(30));
            stats = w.stats();
        }
        assertEquals(1, stats.dropNotificationsSent());
        assertEquals(0, stats.dropNotificationsDropped());
        List<ConsumerRecord<byte[], byte[]>> records = kafka.readAll("out-d-drops");
        assertEquals(1, records.size());
        assertArrayEquals(agent, records.get(0).key());
        io.sluice.flow.pb.DropMessage m = io.sluice.flow.pb.DropMessage.parseDelimitedFrom(
                new java.io.ByteArrayInputStream(records.get(0).value()));
        assertEquals(42, m.getSequenceNum());
        assertEquals(0, kafka.recordCount("out-d-flows"), "nothing on the flows/counters topic");
    }

    @Test
    void badProducerPropertyIsNamed(KafkaBroker kafka) {
        kafka.createTopic("out-badprop", 1);
        OutputUnavailableException e = assertThrows(OutputUnavailableException.class,
                () -> KafkaOutput.open(settings(kafka, "out-badprop", "out-badprop", PartitionKey.RANDOM, Map.of("compression.type", "bogus"))));
        assertEquals("producer", e.setting());
    }

    @Test
    void createTopicsMakesMissingTopicsWithTheConfiguredPartitions(KafkaBroker kafka) throws Exception {
        KafkaSettings s = new KafkaSettings(kafka.bootstrapServers(), "out-created", "out-created-counters", "out-created-drops", Map.of(),
                PartitionKey.RANDOM, BackpressurePolicy.DROP, Duration.ofSeconds(20), new KafkaSettings.CreateTopics(true, 3, (short) 1),
                RecordFraming.LENGTH_DELIMITED, 1);
        KafkaOutput out = KafkaOutput.open(s);
        out.close(Duration.ofSeconds(5));
        assertEquals(3, kafka.endOffsets("out-created").size());
        assertEquals(3, kafka.endOffsets("out-created-counters").size());
        assertEquals(3, kafka.endOffsets("out-created-drops").size());
        KafkaOutput.open(s).close(Duration.ofSeconds(5)); // existing topics: opened as they are
    }
}

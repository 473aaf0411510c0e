package io.sluice.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.pb.CounterMessage;
import io.sluice.flow.pb.FlowMessage;
import io.sluice.pipeline.BatchingFlowSink;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileOutputTest {

    private static FlowRecord flow(int i) {
        FlowRecord r = new FlowRecord();
        r.type = 3;
        r.srcAddr.setV4(0x0a000000 | i);
        r.dstAddr.set(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0, 16);
        r.bytes = 1000 + i;
        r.srcMac = 0x0011_2233_4455L;
        r.sequenceNum = i;
        return r;
    }

    @Test
    void protobufFileIsLengthDelimitedFlowMessages(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.pb");
        FileOutput output = new FileOutput(file.toString(), "", FileOutput.Format.PROTOBUF);
        WorkerOutput w = output.forWorker("l", 0);
        BatchingFlowSink sink = new BatchingFlowSink(new FlowBatch(100, PartitionKey.RANDOM, output.batchEncoding()), w, 1_000_000L);
        for (int i = 0; i < 250; i++) sink.flow(flow(i));
        sink.flush();
        sink.counters(CounterMessage.newBuilder().setSequenceNum(1).build()); // no counters path: counted, not written
        output.close(Duration.ofSeconds(1));
        assertEquals(250, w.stats().flowsSent());
        assertEquals(1, w.stats().countersDropped());
        try (InputStream in = Files.newInputStream(file)) {
            for (int i = 0; i < 250; i++) {
                FlowMessage m = FlowMessage.parseDelimitedFrom(in);
                assertEquals(i, m.getSequenceNum());
                assertEquals(1000 + i, m.getBytes());
            }
            assertEquals(null, FlowMessage.parseDelimitedFrom(in), "nothing more");
        }
    }

    @Test
    void jsonFileHasTheLinesOfSluiceDecode(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.json");
        Path counters = dir.resolve("counters.json");
        FileOutput output = new FileOutput(file.toString(), counters.toString(), FileOutput.Format.JSON);
        WorkerOutput w = output.forWorker("l", 0);
        BatchingFlowSink sink = new BatchingFlowSink(new FlowBatch(7, PartitionKey.EXPORTER, output.batchEncoding()), w, 1_000_000L);
        for (int i = 0; i < 20; i++) sink.flow(flow(i));
        sink.flush();
        sink.counters(CounterMessage.newBuilder().setSequenceNum(9).build());
        output.close(Duration.ofSeconds(1));
        List<String> lines = Files.readAllLines(file);
        assertEquals(20, lines.size());
        for (int i = 0; i < 20; i++) assertEquals(FlowJson.toJson(flow(i)), lines.get(i));
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals("2001:db8::1", first.get("dst_addr").asText());
        assertEquals("00:11:22:33:44:55", first.get("src_mac").asText());
        List<String> counterLines = Files.readAllLines(counters);
        assertEquals(1, counterLines.size());
        assertTrue(counterLines.get(0).contains("\"sequence_num\":9"), counterLines.get(0));
    }

    /** Written flows reach the file within about a second without a close: tail -f shows them as they come. */
    @Test
    void writtenFlowsAreInTheFileWithinASecond(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.json");
        FileOutput output = new FileOutput(file.toString(), "", FileOutput.Format.JSON);
        try {
            WorkerOutput w = output.forWorker("l", 0);
            BatchingFlowSink sink = new BatchingFlowSink(new FlowBatch(10, PartitionKey.RANDOM, output.batchEncoding()), w, 1_000_000L);
            for (int i = 0; i < 3; i++) sink.flow(flow(i));
            sink.flush(); // handed to the output: in its 64 KiB buffer, not yet in the file
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos(); // bound only; the flusher runs each second
            while (Files.size(file) == 0 && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(3, Files.readAllLines(file).size(), "the flusher wrote the buffered lines");
        } finally {
            output.close(Duration.ofSeconds(1));
        }
    }

    /** Counters as JSON: counters as numbers (not protobuf JSON's quoted 64-bit strings), addresses as text. */
    @Test
    void counterJsonHasNumbersAndTextAddresses(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.json");
        Path counters = dir.resolve("counters.json");
        FileOutput output = new FileOutput(file.toString(), counters.toString(), FileOutput.Format.JSON);
        WorkerOutput w = output.forWorker("l", 0);
        w.counters(CounterMessage.newBuilder().setAgentAddress(com.google.protobuf.ByteString.copyFrom(new byte[] {10, 0, 0, 1}))
                .setGenericInterface(CounterMessage.GenericInterface.newBuilder().setIfIndex(3).setIfInOctets(1L << 40)
                        .setIfSpeed(-1L)) // 2^64 - 1: an unsigned counter beyond Long.MAX_VALUE
                .build());
        output.close(Duration.ofSeconds(1));
        JsonNode c = new ObjectMapper().readTree(Files.readString(counters));
        assertEquals("10.0.0.1", c.get("agent_address").asText());
        assertTrue(c.get("generic_interface").get("if_in_octets").isIntegralNumber(), c.toString());
        assertEquals(1L << 40, c.get("generic_interface").get("if_in_octets").asLong());
        assertEquals("18446744073709551615", c.get("generic_interface").get("if_speed").bigIntegerValue().toString());
    }

    /** Drop notifications go to drops-path (counted sent); without one they are counted dropped, never lost silently. */
    @Test
    void dropNotificationsGoToTheDropsPathOrAreCountedDropped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.json");
        Path drops = dir.resolve("drops.json");
        io.sluice.flow.pb.DropMessage m = io.sluice.flow.pb.DropMessage.newBuilder()
                .setAgentAddress(com.google.protobuf.ByteString.copyFrom(new byte[] {10, 0, 0, 2})).setReason(260).setAclName("foo!").build();
        FileOutput output = new FileOutput(file.toString(), "", drops.toString(), FileOutput.Format.JSON);
        WorkerOutput w = output.forWorker("l", 0);
        w.drop(m);
        output.close(Duration.ofSeconds(1));
        assertEquals(1, w.stats().dropNotificationsSent());
        assertEquals(0, w.stats().dropNotificationsDropped());
        JsonNode d = new ObjectMapper().readTree(Files.readString(drops));
        assertEquals("10.0.0.2", d.get("agent_address").asText());
        assertEquals(260, d.get("reason").asInt());
        assertEquals("foo!", d.get("acl_name").asText());
        assertEquals("", Files.readString(file));

        FileOutput none = new FileOutput(dir.resolve("other.json").toString(), "", "", FileOutput.Format.JSON);
        WorkerOutput n = none.forWorker("l", 0);
        n.drop(m);
        none.close(Duration.ofSeconds(1));
        assertEquals(0, n.stats().dropNotificationsSent());
        assertEquals(1, n.stats().dropNotificationsDropped());
    }

    /** The same framing key as Kafka: bare counters are the message alone. */
    @Test
    void protobufCountersFollowTheFraming(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("flows.pb");
        Path counters = dir.resolve("counters.pb");
        FileOutput output = new FileOutput(file.toString(), counters.toString(), "", FileOutput.Format.PROTOBUF,
                RecordFraming.LENGTH_DELIMITED, io.sluice.flow.JsonStyle.SLUICE);
        output.forWorker("l", 0).counters(CounterMessage.newBuilder().setSequenceNum(5).build());
        output.close(Duration.ofSeconds(1));
        try (InputStream in = Files.newInputStream(counters)) {
            assertEquals(5, CounterMessage.parseDelimitedFrom(in).getSequenceNum());
            assertEquals(-1, in.read());
        }
    }
}

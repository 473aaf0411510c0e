package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowProtobufEncoder;
import io.sluice.flow.FlowRecord;
import io.sluice.output.RecordFraming;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.SharedKafka;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * `bin/run-local watch` runs tools/kafka-broker/WatchFlows.java: as a real child JVM against the real
 * broker, it prints each flow of a length-delimited record (two flows packed in one record too) as the
 * line `sluice decode` prints: addresses as text, not protobuf JSON's base64.
 */
@ExtendWith(SharedKafka.class)
class WatchFlowsTest {
    @Test
    void printsEveryFlowOfTheTopicAsSluiceDecodeDoes(KafkaBroker kafka) throws Exception {
        kafka.createTopic("watch-flows", 1);
        Path root = Path.of("").toAbsolutePath();
        Path source = Files.exists(root.resolve("tools")) ? root.resolve("tools/kafka-broker/WatchFlows.java")
                : root.getParent().resolve("tools/kafka-broker/WatchFlows.java");
        Process watch = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
                source.toString(), kafka.bootstrapServers(), "watch-flows").start();
        try {
            BufferedReader err = new BufferedReader(new InputStreamReader(watch.getErrorStream(), StandardCharsets.UTF_8));
            String first;
            while ((first = err.readLine()) != null && !first.startsWith("watching")) {
                // compile and start messages
            }
            assertTrue(first != null, "WatchFlows started");
            List<FlowRecord> flows = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                FlowRecord f = new FlowRecord();
                f.type = 4;
                f.srcAddr.setV4(0x0A000001 + i);
                f.dstAddr.set(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) i}, 0, 16);
                f.bytes = 100 + i;
                f.inIf = 0xFFFF_FFF0L; // a uint32 beyond int: printed as the unsigned number
                flows.add(f);
            }
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>("watch-flows", delimited(flows.get(0)))).get();
                ByteArrayOutputStream two = new ByteArrayOutputStream();
                two.write(delimited(flows.get(1)));
                two.write(delimited(flows.get(2)));
                producer.send(new ProducerRecord<>("watch-flows", two.toByteArray())).get();
            }
            BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8));
            for (FlowRecord f : flows) assertEquals(FlowJson.toJson(f), out.readLine());
        } finally {
            watch.destroy();
            if (!watch.waitFor(10, TimeUnit.SECONDS)) watch.destroyForcibly();
        }
    }

    private static byte[] delimited(FlowRecord f) {
        FlowProtobufEncoder e = new FlowProtobufEncoder();
        byte[] message = Arrays.copyOf(e.buffer(), e.encode(f));
        return RecordFraming.LENGTH_DELIMITED.frame(message);
    }
}

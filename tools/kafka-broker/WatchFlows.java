// Prints the flows arriving in a topic as JSON lines (FlowMessage decoded with the generated class),
// from the end of the topic on, until interrupted. Run by `bin/run-local watch`, as a source file, with
// sluice's classpath (its jar and target/lib hold kafka-clients, protobuf and protobuf-java-util):
//   java -cp 'collector/target/sluice.jar:collector/target/lib/*' tools/kafka-broker/WatchFlows.java 127.0.0.1:9092 flows

import com.google.protobuf.util.JsonFormat;
import io.sluice.flow.pb.FlowMessage;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public class WatchFlows {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        JsonFormat.Printer json = JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(args[1]).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            System.err.println("watching " + args[1] + " on " + args[0] + " (Ctrl-C to stop)");
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    System.out.println(json.print(FlowMessage.parseFrom(r.value())));
                }
            }
        }
    }
}

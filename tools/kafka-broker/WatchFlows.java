// Prints the flows arriving in a topic as JSON lines, from the end of the topic on, until interrupted,
// through sluice's one JSON writer (io.sluice.flow.FlowJson: addresses as text, counters as numbers),
// the lines `sluice decode` and the JSON file output print. Run by `bin/run-local watch`, as a source
// file, with sluice's classpath (its jar and target/lib hold kafka-clients and protobuf):
//   java -cp 'collector/target/sluice.jar:collector/target/lib/*' tools/kafka-broker/WatchFlows.java \
//        127.0.0.1:9092 flows [length-delimited|bare] [sluice|goflow2]
// Records are read as sluice writes them (output.framing; several flows per record when
// kafka.flows-per-record > 1).

import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowMessageReader;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.JsonStyle;
import io.sluice.flow.pb.FlowMessage;
import java.io.ByteArrayInputStream;
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
        boolean bare = args.length > 2 && args[2].equals("bare");
        JsonStyle style = args.length > 3 && JsonStyle.fromConfig(args[3]) != null ? JsonStyle.fromConfig(args[3]) : JsonStyle.SLUICE;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        FlowRecord flow = new FlowRecord();
        StringBuilder line = new StringBuilder(1024);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(args[1]).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            for (TopicPartition tp : partitions) consumer.position(tp); // resolve "end" now: every flow after the next line is shown
            System.err.println("watching " + args[1] + " on " + args[0] + " (Ctrl-C to stop)");
            while (true) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (bare) {
                        print(FlowMessage.parseFrom(r.value()), flow, line, style);
                        continue;
                    }
                    ByteArrayInputStream in = new ByteArrayInputStream(r.value());
                    FlowMessage m;
                    while ((m = FlowMessage.parseDelimitedFrom(in)) != null) print(m, flow, line, style);
                }
                System.out.flush();
            }
        }
    }

    private static void print(FlowMessage m, FlowRecord flow, StringBuilder line, JsonStyle style) {
        line.setLength(0);
        FlowJson.append(FlowMessageReader.read(m, flow), line, style);
        System.out.println(line);
    }
}

// Creates sluice's topics on the local broker, if missing, and waits until every partition answers
// listOffsets: producing right after createTopics can lose records with Kafka 4.3.1
// (../shared/notes/kafka.md). Run by bin/run-local with the broker's classpath, as a source file:
//   java -cp "$(cat classpath)" tools/kafka-broker/CreateTopics.java 127.0.0.1:9092 flows=4 flows-counters=1

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

public class CreateTopics {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Admin admin = Admin.create(p)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            for (int i = 1; i < args.length; i++) {
                String[] nameAndPartitions = args[i].split("=");
                String topic = nameAndPartitions[0];
                int partitions = Integer.parseInt(nameAndPartitions[1]);
                if (!existing.contains(topic)) {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
                    System.out.println("created topic " + topic + " (" + partitions + " partitions)");
                }
                int actual = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
                Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                for (int q = 0; q < actual; q++) request.put(new TopicPartition(topic, q), OffsetSpec.latest());
                while (true) {
                    try {
                        admin.listOffsets(request).all().get(5, TimeUnit.SECONDS);
                        break;
                    } catch (Exception e) {
                        if (System.nanoTime() > deadline) throw new IllegalStateException("topic " + topic + " not ready", e);
                        Thread.sleep(50);
                    }
                }
            }
        }
    }
}

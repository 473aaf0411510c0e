// Creates sluice's topics on the local broker, if missing, and waits until every partition answers
// listOffsets (the Kafka 4.3.1 trap, ../shared/notes/kafka.md) through io.sluice.output.KafkaTopics, the one
// copy of that wait (also behind kafka.create-topics, the bench and the tests' broker). Run by
// bin/run-local as a source file, with the broker's classpath and sluice's jar:
//   java -cp "$(cat classpath):collector/target/sluice.jar" tools/kafka-broker/CreateTopics.java 127.0.0.1:9092 flows=4 flows-counters=1 flows-drops=1

import io.sluice.output.KafkaTopics;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

public class CreateTopics {
    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(p)) {
            for (int i = 1; i < args.length; i++) {
                String[] nameAndPartitions = args[i].split("=");
                int partitions = Integer.parseInt(nameAndPartitions[1]);
                if (KafkaTopics.createAndAwait(admin, nameAndPartitions[0], partitions, (short) 1, Duration.ofSeconds(60))) {
                    System.out.println("created topic " + nameAndPartitions[0] + " (" + partitions + " partitions)");
                }
            }
        }
    }
}

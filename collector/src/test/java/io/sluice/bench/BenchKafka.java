package io.sluice.bench;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * The Kafka side of make bench, against the bench's own broker:
 * <ul>
 *   <li>{@code create BOOTSTRAP TOPIC=PARTITIONS...}: creates the topics and waits until every partition
 *       answers listOffsets (producing earlier can lose records with Kafka 4.3.1, ../shared/notes/kafka.md);</li>
 *   <li>{@code count BOOTSTRAP TOPIC}: prints the records in the topic, the sum of its partitions' end
 *       offsets (no transactions, so offsets count records; with one flow per record, flows);</li>
 *   <li>{@code serve BOOTSTRAP}: answers {@code count TOPIC} lines read from stdin, one line each, with one
 *       admin client: the bench counts after every step, and a JVM per count cost seconds on a busy machine.</li>
 * </ul>
 */
public final class BenchKafka {
    private BenchKafka() {
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[1]);
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(p)) {
            switch (args[0]) {
                case "create" -> {
                    for (int i = 2; i < args.length; i++) { // the one create-and-wait (the 4.3.1 listOffsets trap)
                        String[] topicAndPartitions = args[i].split("=");
                        io.sluice.output.KafkaTopics.createAndAwait(admin, topicAndPartitions[0],
                                Integer.parseInt(topicAndPartitions[1]), (short) 1, java.time.Duration.ofSeconds(60));
                    }
                }
                case "count" -> System.out.println(endOffsets(admin, args[2]));
                case "serve" -> serve(admin);
                default -> throw new IllegalArgumentException("create|count|serve, got " + args[0]);
            }
        }
    }

    private static void serve(Admin admin) throws Exception {
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.trim().split("\\s+");
            if (words.length != 2 || !words[0].equals("count")) {
                System.out.println("error: count TOPIC, got " + line);
            } else {
                System.out.println(endOffsets(admin, words[1]));
            }
            System.out.flush();
        }
    }

    private static long endOffsets(Admin admin, String topic) throws Exception {
        int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(topic).partitions().size();
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int q = 0; q < partitions; q++) request.put(new TopicPartition(topic, q), OffsetSpec.latest());
        long total = 0;
        for (var info : admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).values()) total += info.offset();
        return total;
    }
}

package io.sluice.output;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates topics and waits until every partition answers listOffsets: producing right after createTopics
 * can lose records with Kafka 4.3.1 (../shared/notes/kafka.md). The one copy of that lesson, used by
 * {@code kafka.create-topics}, bin/run-local and the bench (tools/kafka-broker/CreateTopics.java) and the
 * tests' broker.
 */
public final class KafkaTopics {
    private KafkaTopics() {}

    /**
     * Creates {@code topic} if it does not exist, then waits until it answers listOffsets on every partition.
     *
     * @param partitions -1 = the broker's default
     * @param replicationFactor -1 = the broker's default
     * @return true if this call created it
     */
    public static boolean createAndAwait(Admin admin, String topic, int partitions, short replicationFactor, Duration timeout)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean created = false;
        Set<String> existing = admin.listTopics().names().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
        if (!existing.contains(topic)) {
            NewTopic t = new NewTopic(topic, partitions < 0 ? Optional.empty() : Optional.of(partitions),
                    replicationFactor < 0 ? Optional.empty() : Optional.of(replicationFactor));
            try {
                admin.createTopics(List.of(t)).all().get(remainingMs(deadline), TimeUnit.MILLISECONDS);
                created = true;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) throw e; // another creator won: fine
            }
        }
        awaitListOffsets(admin, topic, deadline);
        return created;
    }

    /**
     * Waits until an existing {@code topic} answers listOffsets on every partition: what an idempotent
     * producer needs before its first send to a topic created moments ago (by an operator's script).
     */
    public static void awaitWritable(Admin admin, String topic, Duration timeout)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        awaitListOffsets(admin, topic, System.nanoTime() + timeout.toNanos());
    }

    private static void awaitListOffsets(Admin admin, String topic, long deadline)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        while (true) {
            try {
                int n = admin.describeTopics(List.of(topic)).allTopicNames().get(remainingMs(deadline), TimeUnit.MILLISECONDS)
                        .get(topic).partitions().size();
                Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                for (int p = 0; p < n; p++) request.put(new TopicPartition(topic, p), OffsetSpec.latest());
                admin.listOffsets(request).all().get(Math.min(5000, remainingMs(deadline)), TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() - deadline > 0) throw e;
                Thread.sleep(50);
            }
        }
    }

    private static long remainingMs(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }
}

package io.sluice.output;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka output's startup check: the brokers answer, the three topics exist (created first if so
 * configured), through an admin client that connects exactly as the producer will.
 */
final class KafkaStartupCheck {
    private static final Logger log = LoggerFactory.getLogger(KafkaStartupCheck.class);

    private KafkaStartupCheck() {}

    /**
     * The admin client of the startup check: every property the producer gets that an admin client knows
     * (security, SASL, SSL, config providers and their ${...} references alike), so the check connects
     * exactly as the producer will.
     */
    static Properties adminConfig(KafkaSettings s, long timeoutMs) {
        Properties p = new Properties();
        Set<String> adminNames = AdminClientConfig.configNames();
        for (Map.Entry<Object, Object> e : s.producerConfig().entrySet()) {
            String key = (String) e.getKey();
            if (adminNames.contains(key) || key.equals("config.providers") || key.startsWith("config.providers.")) {
                p.put(key, e.getValue());
            }
        }
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, p.getProperty(AdminClientConfig.CLIENT_ID_CONFIG, "sluice") + "-startup-check");
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, timeoutMs));
        return p;
    }

    /** The brokers answer and the three topics (flows, counters, drops) exist (created first if so configured); Admin calls bounded by the startup timeout. */
    static void checkCluster(KafkaSettings s) throws OutputUnavailableException {
        long timeoutMs = Math.max(1, s.startupTimeout().toMillis());
        Admin admin;
        try {
            admin = Admin.create(adminConfig(s, timeoutMs));
        } catch (KafkaException e) {
            throw new OutputUnavailableException("producer", "the Kafka client rejects its configuration: " + rootMessage(e));
        }
        try {
            try {
                admin.describeCluster().nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                throw connectionFailure(s, e, timeoutMs);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new OutputUnavailableException("bootstrap-servers",
                        "no Kafka broker answered at " + s.bootstrapServers() + " within " + timeoutMs + " ms (is it running?)");
            }
            if (s.createTopics().enabled()) {
                createTopic(admin, s, s.flowsTopic(), "topic", timeoutMs);
                createTopic(admin, s, s.countersTopic(), "counters-topic", timeoutMs);
                createTopic(admin, s, s.dropsTopic(), "drops-topic", timeoutMs);
            }
            checkTopic(admin, s, s.flowsTopic(), "topic", timeoutMs);
            checkTopic(admin, s, s.countersTopic(), "counters-topic", timeoutMs);
            checkTopic(admin, s, s.dropsTopic(), "drops-topic", timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OutputUnavailableException("bootstrap-servers", "interrupted while connecting");
        } finally {
            admin.close(Duration.ZERO); // a call still retrying towards an absent broker is abandoned, not awaited
        }
    }

    /** A refused login or TLS handshake names the setting to fix; anything else is the broker not answering. */
    private static OutputUnavailableException connectionFailure(KafkaSettings s, ExecutionException e, long timeoutMs) {
        Throwable cause = e.getCause();
        if (cause instanceof SaslAuthenticationException) {
            return new OutputUnavailableException("producer.sasl.jaas.config",
                    "the broker refused the SASL login: " + rootMessage(cause));
        }
        if (cause instanceof SslAuthenticationException) {
            return new OutputUnavailableException("producer.ssl.truststore.location",
                    "the TLS handshake with the broker failed: " + rootMessage(cause));
        }
        if (cause instanceof AuthenticationException || cause instanceof AuthorizationException) {
            return new OutputUnavailableException("producer", "the broker refused sluice: " + rootMessage(cause));
        }
        return new OutputUnavailableException("bootstrap-servers",
                "no Kafka broker answered at " + s.bootstrapServers() + " within " + timeoutMs + " ms (is it running?): " + rootMessage(cause));
    }

    private static void createTopic(Admin admin, KafkaSettings s, String topic, String setting, long timeoutMs)
            throws OutputUnavailableException, InterruptedException {
        try {
            if (KafkaTopics.createAndAwait(admin, topic, s.createTopics().partitions(), s.createTopics().replicationFactor(),
                    Duration.ofMillis(timeoutMs))) {
                log.info("created Kafka topic '{}'", topic);
            }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new OutputUnavailableException(setting, "cannot create topic '" + topic + "': " + rootMessage(e));
        }
    }

    private static void checkTopic(Admin admin, KafkaSettings s, String topic, String setting, long timeoutMs)
            throws OutputUnavailableException, InterruptedException {
        try {
            Map<String, TopicDescription> d = admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
            if (d.get(topic).partitions().isEmpty()) throw new OutputUnavailableException(setting, "topic '" + topic + "' has no partitions");
            KafkaTopics.awaitWritable(admin, topic, java.time.Duration.ofMillis(timeoutMs)); // the idempotent producer's first send
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                throw new OutputUnavailableException(setting, "topic '" + topic + "' does not exist: create it with"
                        + " kafka-topics.sh --bootstrap-server " + s.bootstrapServers().split(",")[0].trim()
                        + " --create --topic " + topic + " --partitions 8 --replication-factor 3"
                        + " (or let sluice create it: kafka.create-topics.enabled=true)");
            }
            throw new OutputUnavailableException(setting, "cannot describe topic '" + topic + "': " + rootMessage(e));
        } catch (java.util.concurrent.TimeoutException e) {
            throw new OutputUnavailableException(setting, "no answer describing topic '" + topic + "' within " + timeoutMs + " ms");
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

}

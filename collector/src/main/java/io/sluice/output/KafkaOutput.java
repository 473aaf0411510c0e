package io.sluice.output;

import io.sluice.flow.pb.CounterMessage;
import io.sluice.flow.pb.DropMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flows to Kafka: by default one record per flow whose value is the FlowMessage framed as goflow2 v2
 * frames it (varint length + message, {@link RecordFraming}), key per {@link PartitionKey}; optionally
 * bare messages, or several flows of one key per record; sFlow counters and drop notifications each to their own topic, same framing. One producer shared by
 * all workers (it is thread-safe and batches per partition across them).
 *
 * <p>Backpressure is the producer's bounded buffer (buffer.memory): with policy drop, max.block.ms is 0
 * and a full buffer fails the send at once (counted, the worker keeps reading); with policy block the
 * worker waits in send. Nothing else queues flows, so memory stays bounded by design.
 */
public final class KafkaOutput implements FlowOutput {
    private static final Logger log = LoggerFactory.getLogger(KafkaOutput.class);

    private final KafkaSettings settings;
    private final Producer<byte[], byte[]> producer;
    private final List<Worker> workers = new ArrayList<>();
    private volatile long lastSuccessNanos;
    private volatile long lastErrorNanos;
    private volatile boolean failing;

    private KafkaOutput(KafkaSettings settings, Producer<byte[], byte[]> producer) {
        this.settings = settings;
        this.producer = producer;
        long now = System.nanoTime(); // nanoTime may be negative: start "no error since the last success" explicitly
        this.lastSuccessNanos = now;
        this.lastErrorNanos = now - 1;
    }

    /**
     * Connects: checks (within {@code settings.startupTimeout()}) that the brokers answer and the topics
     * exist, and that the producer got their metadata; otherwise an {@link OutputUnavailableException} naming the setting.
     */
    public static KafkaOutput open(KafkaSettings settings) throws OutputUnavailableException {
        long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
        checkCluster(settings);
        Properties config = settings.producerConfig();
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(config);
        } catch (KafkaException e) {
            throw new OutputUnavailableException("producer", "the producer rejects its configuration: " + rootMessage(e));
        }
        KafkaOutput output = new KafkaOutput(settings, producer);
        try {
            output.awaitMetadata(settings.flowsTopic(), "topic", deadline);
            output.awaitMetadata(settings.countersTopic(), "counters-topic", deadline);
            output.awaitMetadata(settings.dropsTopic(), "drops-topic", deadline);
        } catch (OutputUnavailableException e) {
            producer.close(Duration.ZERO);
            throw e;
        }
        return output;
    }

    /**
     * Builds (and closes) the producer the output would use, without connecting: the producer checks every
     * value and resolves the config providers ({@code ${file:...}}, {@code ${env:...}}). For `run --check`.
     */
    public static void checkProducerConfig(KafkaSettings settings) throws OutputUnavailableException {
        try {
            new KafkaProducer<byte[], byte[]>(settings.producerConfig()).close(Duration.ZERO);
        } catch (KafkaException e) {
            throw new OutputUnavailableException("producer", "the producer rejects its configuration: " + rootMessage(e));
        }
    }

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
    private static void checkCluster(KafkaSettings s) throws OutputUnavailableException {
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

    private void awaitMetadata(String topic, String key, long deadline) throws OutputUnavailableException {
        while (true) {
            try {
                if (!producer.partitionsFor(topic).isEmpty()) return;
            } catch (TimeoutException e) {
                // max.block.ms 0 (policy drop): the first call only requests the metadata; poll until it is there
            } catch (KafkaException e) {
                throw new OutputUnavailableException(key, "producer cannot get metadata of '" + topic + "': " + rootMessage(e));
            }
            if (System.nanoTime() - deadline > 0) {
                throw new OutputUnavailableException(key, "the producer got no metadata for topic '" + topic + "' within "
                        + settings.startupTimeout().toMillis() + " ms");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OutputUnavailableException(key, "interrupted while waiting for metadata");
            }
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    public KafkaSettings settings() {
        return settings;
    }

    @Override
    public synchronized WorkerOutput forWorker(String listener, int worker) {
        Worker w = new Worker(new OutputStats());
        workers.add(w);
        return w;
    }

    /** Ready when the last delivery outcome was a success (or nothing failed since startup). */
    @Override
    public boolean ready() {
        return lastErrorNanos - lastSuccessNanos <= 0;
    }

    @Override
    public void flush(Duration timeout) {
        producer.flush(); // bounded by delivery.timeout.ms
    }

    @Override
    public void close(Duration timeout) {
        producer.close(timeout); // records still queued then fail their callbacks: counted as dropped
    }

    private void succeeded() {
        lastSuccessNanos = System.nanoTime();
        if (failing) {
            failing = false;
            log.info("Kafka delivery resumed");
        }
    }

    private void failed(Exception e) {
        lastErrorNanos = System.nanoTime();
        if (!failing) {
            failing = true;
            log.warn("Kafka delivery failing (flows are dropped and counted until it recovers): {}", e.toString());
        }
    }

    /**
     * One worker's sends. Callbacks are made once per worker, one per flow count a record can hold, so a
     * send allocates only the record and its value.
     */
    final class Worker implements WorkerOutput {
        private final OutputStats stats;
        /** flowCallbacks[n]: the outcome of a record holding n flows. */
        private final Callback[] flowCallbacks;
        private final Callback counterCallback;
        private final Callback dropCallback;
        /** The worker's thread: a callback running on it is a failure inside send(), not a delivery outcome. */
        private Thread workerThread;
        /**
         * The last key sent: one exporter's flows share their key (partition-key exporter), so consecutive
         * records reuse one array instead of copying it per flow. The producer only reads keys.
         */
        private byte[] lastKey;

        Worker(OutputStats stats) {
            this.stats = stats;
            this.flowCallbacks = new Callback[settings.flowsPerRecord() + 1];
            for (int n = 1; n < flowCallbacks.length; n++) {
                int flows = n;
                flowCallbacks[n] = (RecordMetadata md, Exception e) -> {
                    if (e == null) {
                        stats.flowsSent(flows);
                        succeeded();
                    } else {
                        countFailure(e, flows);
                    }
                };
            }
            this.counterCallback = (RecordMetadata md, Exception e) -> {
                if (e == null) stats.counterSent();
                else stats.counterDropped();
            };
            this.dropCallback = (RecordMetadata md, Exception e) -> {
                if (e == null) stats.dropNotificationSent();
                else stats.dropNotificationDropped();
            };
        }

        private void countFailure(Exception e, int flows) {
            if (e instanceof BufferExhaustedException) {
                stats.dropped(DropReason.BUFFER_FULL, flows); // backpressure, not a broker error
                return;
            }
            boolean inSend = Thread.currentThread() == workerThread;
            stats.error();
            DropReason reason;
            if (inSend && e instanceof TimeoutException) reason = DropReason.UNAVAILABLE; // no metadata within max.block.ms
            else if (e instanceof TimeoutException) reason = DropReason.TIMEOUT;
            else reason = DropReason.KAFKA_ERROR;
            stats.dropped(reason, flows);
            failed(e);
        }

        /**
         * One record per run of consecutive flows with the same key, at most {@code kafka.flows-per-record}
         * long (1: goflow2's one flow per record). Each flow in the value is framed by {@link RecordFraming}.
         */
        @Override
        public void send(FlowBatch batch) {
            workerThread = Thread.currentThread();
            String topic = settings.flowsTopic();
            RecordFraming framing = settings.framing();
            int perRecord = settings.flowsPerRecord();
            byte[] data = batch.data();
            byte[] keys = batch.keys();
            int n = batch.size();
            for (int i = 0; i < n; ) {
                int kl = batch.keyLength(i);
                int ko = batch.keyOffset(i);
                int end = i + 1;
                int size = framing.headerSize(batch.length(i)) + batch.length(i);
                while (end < n && end - i < perRecord && batch.keyLength(end) == kl
                        && Arrays.equals(keys, ko, ko + kl, keys, batch.keyOffset(end), batch.keyOffset(end) + kl)) {
                    size += framing.headerSize(batch.length(end)) + batch.length(end);
                    end++;
                }
                // ByteArraySerializer hands the whole array to the producer, so each record needs its exact-length value
                byte[] value = new byte[size];
                int p = 0;
                for (int f = i; f < end; f++) {
                    int len = batch.length(f);
                    p += framing.writeHeader(value, p, len);
                    System.arraycopy(data, batch.offset(f), value, p, len);
                    p += len;
                }
                byte[] key = kl == 0 ? null : key(keys, ko, kl);
                int flows = end - i;
                try {
                    producer.send(new ProducerRecord<>(topic, key, value), flowCallbacks[flows]);
                } catch (KafkaException e) { // producer closed, interrupted wait: not reported to the callback
                    stats.error();
                    stats.dropped(DropReason.KAFKA_ERROR, flows);
                }
                i = end;
            }
        }

        /**
         * One record holding one unit of the output (an Akvorado RawFlow: one datagram), counted as one
         * sent or dropped "flow" like a flow record, so the accounting adds up the same way.
         */
        void sendRecord(byte[] key, byte[] value) {
            workerThread = Thread.currentThread();
            try {
                producer.send(new ProducerRecord<>(settings.flowsTopic(), key, value), flowCallbacks[1]);
            } catch (KafkaException e) {
                stats.error();
                stats.dropped(DropReason.KAFKA_ERROR, 1);
            }
        }

        private byte[] key(byte[] keys, int offset, int length) {
            byte[] last = lastKey;
            if (last == null || !Arrays.equals(last, 0, last.length, keys, offset, offset + length)) {
                last = Arrays.copyOfRange(keys, offset, offset + length);
                lastKey = last;
            }
            return last;
        }

        @Override
        public void counters(CounterMessage counters) {
            byte[] key = counters.getAgentAddress().isEmpty() ? null : counters.getAgentAddress().toByteArray();
            try {
                producer.send(new ProducerRecord<>(settings.countersTopic(), key, settings.framing().frame(counters.toByteArray())),
                        counterCallback);
            } catch (KafkaException e) {
                stats.counterDropped();
            }
        }

        /** Like a counter record: keyed by agent address, framed per {@code output.framing}, on the drops topic. */
        @Override
        public void drop(DropMessage drop) {
            byte[] key = drop.getAgentAddress().isEmpty() ? null : drop.getAgentAddress().toByteArray();
            try {
                producer.send(new ProducerRecord<>(settings.dropsTopic(), key, settings.framing().frame(drop.toByteArray())),
                        dropCallback);
            } catch (KafkaException e) {
                stats.dropNotificationDropped();
            }
        }

        @Override
        public OutputStats stats() {
            return stats;
        }
    }
}

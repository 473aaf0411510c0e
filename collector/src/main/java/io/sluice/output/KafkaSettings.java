package io.sluice.output;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka output's settings and the producer properties derived from them.
 *
 * @param producerProperties any producer property, passed through; wins over {@link #PRODUCER_DEFAULTS}
 * @param startupTimeout how long startup waits for the broker's metadata before giving up
 * @param dropsTopic the topic of the sFlow drop notifications (DropMessage), keyed by agent address like counters
 * @param framing how each message is laid out in a record value (flows, counters and drops alike)
 * @param flowsPerRecord up to this many flows of one partition key share a record (length-delimited only)
 */
public record KafkaSettings(
        String bootstrapServers,
        String flowsTopic,
        String countersTopic,
        String dropsTopic,
        Map<String, String> producerProperties,
        PartitionKey partitionKey,
        BackpressurePolicy backpressure,
        Duration startupTimeout,
        CreateTopics createTopics,
        RecordFraming framing,
        int flowsPerRecord) {

    public KafkaSettings {
        if (flowsPerRecord < 1) throw new IllegalArgumentException("flowsPerRecord must be >= 1, got " + flowsPerRecord);
        if (flowsPerRecord > 1 && framing != RecordFraming.LENGTH_DELIMITED) {
            throw new IllegalArgumentException("several flows per record need the length-delimited framing");
        }
    }

    /**
     * Creating the topics when they are missing (for a fresh cluster; off by default, as topics are usually
     * the cluster operator's to make).
     *
     * @param partitions partitions of each created topic; -1 = the broker's num.partitions
     * @param replicationFactor -1 = the broker's default.replication.factor
     */
    public record CreateTopics(boolean enabled, int partitions, short replicationFactor) {
        public static final CreateTopics DEFAULTS = new CreateTopics(false, -1, (short) -1);
    }

    /** goflow2 v2's contract (one length-delimited FlowMessage per record), without topic creation (tests and embedders). */
    public KafkaSettings(String bootstrapServers, String flowsTopic, String countersTopic, String dropsTopic,
                         Map<String, String> producerProperties, PartitionKey partitionKey, BackpressurePolicy backpressure,
                         Duration startupTimeout) {
        this(bootstrapServers, flowsTopic, countersTopic, dropsTopic, producerProperties, partitionKey, backpressure, startupTimeout,
                CreateTopics.DEFAULTS, RecordFraming.LENGTH_DELIMITED, 1);
    }

    public KafkaSettings withFraming(RecordFraming f, int perRecord) {
        return new KafkaSettings(bootstrapServers, flowsTopic, countersTopic, dropsTopic, producerProperties, partitionKey, backpressure,
                startupTimeout, createTopics, f, perRecord);
    }

    /**
     * Producer defaults chosen for throughput (documented in docs/configuration.md):
     * <ul>
     *   <li>batch.size 512 KiB: room for ~4096 flows per partition batch (the article's lesson: 32 records
     *       per batch starved the brokers, 4096 fixed it; the Java client counts bytes, not records).
     *   <li>linger.ms 10: a partly filled batch waits 10 ms for more flows before it is sent.
     *   <li>compression lz4: cheap on CPU, ~3–5× on FlowMessages.
     *   <li>buffer.memory 64 MiB: the bound on queued flows; with policy drop, full means drop.
     *   <li>acks all, idempotence on: a retried batch is never written twice (a 30 s broker stall duplicated
     *       8,192 flows with acks 1, issue 14); make bench measured the cost at -3.7 % of the zero-loss rate
     *       (IPFIX into Kafka 136,759 against 141,984 datagrams/s, one run, within this machine's noise). The
     *       4.3.1 idempotent-producer stall on fresh topics is avoided by the startup check, which waits for
     *       listOffsets on every partition before the first send (../shared/notes/kafka.md).
     *   <li>delivery.timeout.ms 60 s: flows older than that are stale; failing them frees the buffer.
     * </ul>
     */
    public static final Map<String, String> PRODUCER_DEFAULTS;

    static {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(ProducerConfig.ACKS_CONFIG, "all");
        d.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        d.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        d.put(ProducerConfig.BATCH_SIZE_CONFIG, "524288");
        d.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        d.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "67108864");
        d.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "2097152");
        d.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "15000");
        d.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        d.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice");
        PRODUCER_DEFAULTS = Map.copyOf(d);
    }

    /** The defaults of the {@code kafka} section (and of {@code backpressure}); the producer's are {@link #PRODUCER_DEFAULTS}. */
    public static final KafkaSettings DEFAULTS = new KafkaSettings("localhost:9092", "flows", "flows-counters", "flows-drops", Map.of(),
            PartitionKey.EXPORTER, BackpressurePolicy.DROP, Duration.ofSeconds(10));

    /**
     * Whether {@code name} is a producer property: one the producer declares, or a config provider's
     * ({@code config.providers.<name>.class}, {@code config.providers.<name>.param.*}).
     */
    public static boolean isProducerProperty(String name) {
        return ProducerConfig.configNames().contains(name) || name.equals("config.providers") || name.startsWith("config.providers.");
    }

    /** Every property the producer declares. */
    public static java.util.Set<String> producerPropertyNames() {
        return ProducerConfig.configNames();
    }

    /** max.block.ms for policy block: how long a worker may wait for buffer room before the flows drop. */
    public static final String BLOCK_MAX_MS = "60000";

    /** The full producer configuration: defaults, then the policy's max.block.ms, then the pass-through. */
    public Properties producerConfig() {
        Properties p = new Properties();
        p.putAll(PRODUCER_DEFAULTS);
        // drop: never wait for buffer room or metadata, a full buffer fails the send at once.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, backpressure == BackpressurePolicy.DROP ? "0" : BLOCK_MAX_MS);
        p.putAll(producerProperties);
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }
}

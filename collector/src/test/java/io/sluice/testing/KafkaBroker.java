package io.sluice.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Time;

/**
 * A real single-node KRaft Kafka broker (broker + controller in one process) running inside the test
 * JVM, with helpers to create topics safely and read them back. Most tests share one through
 * {@link SharedKafka}; a test that stops the broker starts its own with {@link #start()}.
 *
 * <p>Ports are picked by binding port 0 and releasing it, because the controller's address must be
 * written into the configuration before start, and a restart must come back on the same port.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Path dir;
    private final int brokerPort;
    private final int controllerPort;
    private final Path configFile;
    private KafkaRaftServer server;
    private Admin admin;

    private KafkaBroker(Path dir) throws IOException {
        this.dir = dir;
        this.brokerPort = freePort();
        this.controllerPort = freePort();
        this.configFile = dir.resolve("server.properties");
    }

    /** Formats a fresh log dir and starts a broker; the caller closes it. */
    public static KafkaBroker start() {
        try {
            KafkaBroker b = new KafkaBroker(Files.createTempDirectory("sluice-kafka-"));
            b.format();
            b.startServer();
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Properties properties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.put("log.dirs", dir.resolve("data").toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        // the default reserves 128 MiB of heap for a cleaner these tests never need (notes/kafka.md)
        p.put("log.cleaner.dedupe.buffer.size", "2097152");
        return p;
    }

    private void format() throws IOException {
        try (Writer w = Files.newBufferedWriter(configFile)) {
            properties().store(w, "sluice test broker");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c", configFile.toString(), "--standalone"},
                new PrintStream(out, true, StandardCharsets.UTF_8));
        if (rc != 0) throw new IllegalStateException("kafka storage format failed: " + out.toString(StandardCharsets.UTF_8));
    }

    private void startServer() {
        server = new KafkaRaftServer(KafkaConfig.fromProps(properties(), false), Time.SYSTEM);
        server.startup();
        awaitReady(Duration.ofSeconds(30));
    }

    /** Waits until the broker answers describeCluster with one node. */
    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (!admin().describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) return;
            } catch (Exception e) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("broker not ready within " + timeout, e);
            }
            sleep(50);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    /** Stops the broker (for outage tests); {@link #restart()} brings it back on the same port and data. */
    public synchronized void stop() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    public synchronized void restart() {
        if (server != null) throw new IllegalStateException("broker is running");
        startServer();
    }

    @Override
    public synchronized void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // temp dir: the OS cleans it eventually
        }
    }

    public synchronized Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
            admin = Admin.create(p);
        }
        return admin;
    }

    /**
     * Creates a topic and waits until listOffsets answers on every partition: producing right after
     * createTopics can lose records with 4.3.1 (the trap in ../shared/notes/kafka.md).
     */
    public void createTopic(String name, int partitions) {
        try {
            admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    endOffsets(name);
                    return;
                } catch (ExecutionException | RuntimeException e) {
                    if (System.nanoTime() > deadline) throw new IllegalStateException("topic " + name + " not ready", e);
                    sleep(20);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
    }

    /** The end offset of every partition of the topic. */
    public Map<TopicPartition, Long> endOffsets(String topic) throws ExecutionException, InterruptedException {
        TopicDescription d = admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        d.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        Map<TopicPartition, Long> result = new HashMap<>();
        admin().listOffsets(request).all().get().forEach((tp, info) -> result.put(tp, info.offset()));
        return result;
    }

    /** Records in the topic (sum of end offsets; topics here are never compacted or truncated). */
    public long recordCount(String topic) {
        try {
            return endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits (≤ timeout) until the topic holds at least {@code count} records; returns the count then. */
    public long awaitRecordCount(String topic, long count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long n;
        while ((n = recordCount(topic)) < count && System.nanoTime() < deadline) sleep(50);
        return n;
    }

    /** Reads every record of the topic from the beginning to its current end. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        forEachRecord(topic, records::add);
        return records;
    }

    /** Calls {@code action} on every record of the topic from the beginning to its current end. */
    public void forEachRecord(String topic, Consumer<ConsumerRecord<byte[], byte[]>> action) {
        Map<TopicPartition, Long> end;
        try {
            end = endOffsets(topic);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(end.keySet());
            consumer.seekToBeginning(end.keySet());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("could not read " + topic + " to its end");
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) action.accept(r);
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

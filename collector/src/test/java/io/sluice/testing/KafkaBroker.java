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
    /** A SASL_SSL listener's port (0: none) and the properties that configure it ({@link #startSecured}). */
    private final int securedPort;
    private final Map<String, String> securedProperties;
    private KafkaRaftServer server;
    private Admin admin;

    private KafkaBroker(Path dir) throws IOException {
        this(dir, false, Map.of());
    }

    private KafkaBroker(Path dir, boolean secured, Map<String, String> securedProperties) throws IOException {
        this.dir = dir;
        this.brokerPort = freePort();
        this.controllerPort = freePort();
        this.securedPort = secured ? freePort() : 0;
        this.securedProperties = securedProperties;
        this.configFile = dir.resolve("server.properties");
    }

    /**
     * A broker that also has a SASL_SSL listener with SCRAM-SHA-512 ({@link #securedBootstrapServers()}),
     * its TLS key in {@code keystore} (PKCS12). The PLAINTEXT listener stays for the broker itself and the
     * test's own admin client; users are added with {@link #addScramUser}.
     */
    public static KafkaBroker startSecured(Path keystore, String keystorePassword) {
        try {
            Map<String, String> p = new HashMap<>();
            p.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            p.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config",
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            p.put("listener.name.sasl_ssl.ssl.keystore.location", keystore.toString());
            p.put("listener.name.sasl_ssl.ssl.keystore.password", keystorePassword);
            p.put("listener.name.sasl_ssl.ssl.keystore.type", "PKCS12");
            KafkaBroker b = new KafkaBroker(Files.createTempDirectory("sluice-kafka-sasl-"), true, p);
            b.format();
            b.startServer();
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String securedBootstrapServers() {
        return "127.0.0.1:" + securedPort;
    }

    /** Adds (or changes) a SCRAM-SHA-512 user and waits until the broker knows it. */
    public void addScramUser(String user, String password) {
        try {
            admin().alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(user,
                    new org.apache.kafka.clients.admin.ScramCredentialInfo(org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 4096),
                    password))).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (admin().describeUserScramCredentials(List.of(user)).all().get(10, TimeUnit.SECONDS).isEmpty()) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("SCRAM user " + user + " not visible");
                sleep(50);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot add SCRAM user " + user, e);
        }
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

    /**
     * tools/kafka-broker/server.properties (the one broker configuration, shared with run-local and the
     * bench) with this broker's ports and directory, and what tests need on top: one offsets partition,
     * no auto-created topics, the PLAINTEXT listener for the broker itself and an optional SASL_SSL one.
     */
    private Properties properties() {
        Properties p = new Properties();
        Path template = Path.of("").toAbsolutePath().getParent().resolve("tools/kafka-broker/server.properties");
        try {
            String text = Files.readString(template).replace("@PORT@", Integer.toString(brokerPort))
                    .replace("@CONTROLLER_PORT@", Integer.toString(controllerPort))
                    .replace("@DATA_DIR@", dir.resolve("data").toString());
            p.load(new java.io.StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException("the broker configuration " + template, e);
        }
        String secured = securedPort == 0 ? "" : ",SASL_SSL://127.0.0.1:" + securedPort;
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + secured + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + secured);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT");
        p.putAll(securedProperties);
        p.put("offsets.topic.num.partitions", "1");
        p.put("auto.create.topics.enable", "false");
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
            io.sluice.output.KafkaTopics.createAndAwait(admin(), name, partitions, (short) 1, Duration.ofSeconds(30));
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

package io.sluice.share;

import io.sluice.decode.template.MessageHeader;
import io.sluice.decode.template.SharedRecord;
import io.sluice.decode.template.Template;
import io.sluice.decode.template.TemplateKey;
import io.sluice.decode.template.TemplateMessage;
import io.sluice.decode.template.TemplateObserver;
import io.sluice.decode.template.TemplateStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Templates and sampling state shared by every sluice node through one compacted Kafka topic
 * (docs/scaling.md): what this node's exporters change is published, what the other nodes published is
 * applied to this node's store.
 *
 * <p>Publishing never blocks a worker: the store's {@link TemplateObserver} calls (only on a change: a
 * new or redefined template, a withdrawal, a changed value; never on an unchanged refresh) build the
 * record and offer it to a bounded queue drained by the publisher thread; a full queue drops it
 * (counted). Templates sluice rebuilt itself (source port 0: snapshot restore, records applied from the
 * topic) are not published again: they came from the topic or from this node's earlier life.
 *
 * <p>Applying: one consumer thread reads every partition from the beginning. A record this process
 * published (its instance id in the {@value #INSTANCE_HEADER} header) is ignored; one equal to the
 * definition known here is a duplicate; one older than the known definition (by the exporter's export
 * time, then the receive time) is a conflict, not applied: the newest definition wins on every node.
 * Templates go to the store as their exporters' template messages through the decoders (the
 * {@link Applier}), so data parked waiting for them is decoded.
 *
 * <p>Topic unreachable: decoding goes on with local state; failed polls and sends are counted and
 * {@link #degradedReason} says why, until the topic answers again.
 */
public final class TemplateShare implements TemplateObserver, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TemplateShare.class);
    static final String INSTANCE_HEADER = "sluice-instance";
    /** Export time (unix ms, 8 bytes) of a tombstone, which has no value to carry it. */
    static final String TIME_HEADER = "sluice-export-ms";
    private static final Duration RETRY = Duration.ofSeconds(1);

    /** Where applied templates go: decoded before serving, or handed to the workers while serving. */
    @FunctionalInterface
    public interface Applier {
        void apply(TemplateMessage message);
    }

    /** What this node knows of one key: the definition it holds and when the exporter said it. */
    private record Known(long fingerprint, long exportMillis, long receivedMillis) {
        boolean newerThan(SharedRecord r) {
            return exportMillis != r.exportMillis ? exportMillis > r.exportMillis : receivedMillis > r.receivedMillis;
        }
    }

    private final TemplateShareSettings settings;
    private final Map<String, Object> kafkaCommon;
    private final TemplateStore store;
    private final int maxKnown;
    private final byte[] instance;
    private final ShareStats stats = new ShareStats();
    private final ConcurrentHashMap<ByteBuffer, Known> known = new ConcurrentHashMap<>();
    private final ArrayBlockingQueue<ProducerRecord<byte[], byte[]>> queue;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile Applier applier;
    private volatile String degraded;
    private volatile boolean closed;
    private Thread publisher;
    private Thread consumer;

    /**
     * @param kafkaCommon bootstrap servers and the security settings of the {@code kafka} section
     * @param maxKnown    definitions remembered for ordering (the store's template bound: no more can be held)
     */
    public TemplateShare(TemplateShareSettings settings, Map<String, Object> kafkaCommon, TemplateStore store, int maxKnown) {
        this.settings = settings;
        this.kafkaCommon = Map.copyOf(kafkaCommon);
        this.store = store;
        this.maxKnown = maxKnown;
        this.queue = new ArrayBlockingQueue<>(settings.queue());
        this.instance = (ProcessHandle.current().pid() + "-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    }

    public ShareStats stats() {
        return stats;
    }

    /** Why the share is not working now (topic unreachable...), or null. */
    public String degradedReason() {
        return degraded;
    }

    /**
     * Creates the topic if configured, starts the publisher and the consumer and waits (at most the
     * startup wait) until the topic is read to its end, applying through {@code beforeServing}.
     *
     * @return whether the topic was read to its end within the wait
     */
    public boolean start(Applier beforeServing) throws InterruptedException {
        applier = beforeServing;
        if (settings.createTopic()) createTopic();
        store.setObserver(this);
        publisher = Thread.ofPlatform().daemon().name("sluice-template-publisher").start(this::publishLoop);
        consumer = Thread.ofPlatform().daemon().name("sluice-template-consumer").start(this::consumeLoop);
        return caughtUp.await(settings.startupWait().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** From now on, applied templates go to {@code serving} (the workers); a message being applied finishes first. */
    public void serving(Applier serving) {
        synchronized (applyLock) {
            applier = serving;
        }
    }

    /** Held while a message is applied, so that none still goes the before-serving way once serving. */
    private final Object applyLock = new Object();

    private void createTopic() {
        Map<String, Object> p = new HashMap<>(kafkaCommon);
        int timeoutMs = (int) Math.max(1000, settings.startupWait().toMillis());
        // the admin client refuses an API timeout below its request timeout (30 s by default)
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        try (Admin admin = Admin.create(p)) {
            NewTopic t = new NewTopic(settings.topic(), java.util.Optional.of(settings.partitions()),
                    settings.replicationFactor() < 1 ? java.util.Optional.empty() : java.util.Optional.of(settings.replicationFactor()))
                    .configs(Map.of("cleanup.policy", "compact",
                            // the active segment is never compacted: roll it hourly so redefinitions are cleaned up
                            "segment.ms", "3600000",
                            // a node down for longer than this may miss a withdrawal (it then expires the template idle)
                            "delete.retention.ms", "86400000"));
            admin.createTopics(List.of(t)).all().get(settings.startupWait().toMillis() + 1000, TimeUnit.MILLISECONDS);
            log.info("created the template share topic {} (compacted)", settings.topic());
        } catch (java.util.concurrent.ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                degraded = "templates.share: cannot create topic " + settings.topic() + ": " + e.getCause();
                log.warn(degraded);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            degraded = "templates.share: cannot create topic " + settings.topic() + ": " + e;
            log.warn(degraded);
        }
    }

    // ---- publishing (worker threads offer, the publisher thread sends) ---------------------------

    @Override
    public void learnt(TemplateKey key, Template template, MessageHeader header) {
        if (header.exporterPort() == 0) return; // rebuilt by sluice (snapshot, share): not the exporter's word
        long now = System.currentTimeMillis();
        offer(SharedRecord.key(SharedRecord.TEMPLATE, key), SharedRecord.templateValue(template, exportMillis(header, now), now), 0);
    }

    @Override
    public void withdrawn(TemplateKey key, MessageHeader header) {
        if (header.exporterPort() == 0) return;
        offer(SharedRecord.key(SharedRecord.TEMPLATE, key), null, exportMillis(header, System.currentTimeMillis()));
    }

    @Override
    public void samplingChanged(int kind, TemplateKey key, long value, int source) {
        long now = System.currentTimeMillis(); // options data's header is not at hand: the receive time orders them
        offer(SharedRecord.key(kind, key), SharedRecord.stateValue(kind, value, source, now, now), 0); // equal to the topic's: not sent
    }

    private static long exportMillis(MessageHeader h, long now) {
        return h.exportTimeSecs() > 0 ? h.exportTimeSecs() * 1000 : now;
    }

    private void offer(byte[] key, byte[] value, long tombstoneMillis) {
        long fp = value == null ? 0 : SharedRecord.fingerprint(value);
        ByteBuffer kb = ByteBuffer.wrap(key);
        Known was = known.get(kb);
        if (was != null && was.fingerprint == fp) return; // another node said the same already (an ECMP twin)
        long exportMs = value == null ? tombstoneMillis : ByteBuffer.wrap(value).getLong(2);
        remember(kb, new Known(fp, exportMs, System.currentTimeMillis()));
        ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(settings.topic(), key, value);
        r.headers().add(INSTANCE_HEADER, instance);
        if (value == null) r.headers().add(TIME_HEADER, ByteBuffer.allocate(8).putLong(tombstoneMillis).array());
        if (!queue.offer(r)) stats.publishDropped.increment();
    }

    private void remember(ByteBuffer key, Known k) {
        if (known.size() < maxKnown || known.containsKey(key)) known.put(key, k);
    }

    private void publishLoop() {
        Properties p = new Properties();
        p.putAll(kafkaCommon);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0"); // a template is wanted on the other nodes now
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            while (!closed || !queue.isEmpty()) { // on close, what is queued still goes
                ProducerRecord<byte[], byte[]> r = queue.poll(200, TimeUnit.MILLISECONDS);
                if (r == null) continue;
                long bytes = r.key().length + (r.value() == null ? 0 : r.value().length);
                for (Header h : r.headers()) bytes += h.key().length() + h.value().length;
                long size = bytes;
                try {
                    producer.send(r, (md, e) -> {
                        if (e == null) {
                            stats.published.increment();
                            stats.publishedBytes.add(size);
                        } else {
                            stats.publishErrors.increment();
                            degraded = "templates.share: cannot publish to " + settings.topic() + ": " + e.getMessage();
                        }
                    });
                } catch (RuntimeException e) {
                    stats.publishErrors.increment();
                    degraded = "templates.share: cannot publish to " + settings.topic() + ": " + e.getMessage();
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    // ---- consuming -------------------------------------------------------------------------------

    private void consumeLoop() {
        Properties p = new Properties();
        p.putAll(kafkaCommon);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        p.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        while (!closed) {
            // No consumer group: every node reads every record (assign), from where it left off.
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
                consume(c);
            } catch (org.apache.kafka.common.errors.InterruptException e) {
                return;
            } catch (RuntimeException e) {
                stats.consumeErrors.increment();
                String why = "templates.share: topic " + settings.topic() + " unreachable: " + e.getMessage();
                if (degraded == null) log.warn("{} (decoding goes on with local templates; retrying)", why);
                degraded = why;
                try {
                    Thread.sleep(RETRY.toMillis());
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Offsets read up to, per partition, kept across reconnections. */
    private final Map<TopicPartition, Long> positions = new HashMap<>();

    private void consume(KafkaConsumer<byte[], byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(settings.topic(), Duration.ofSeconds(5));
        if (infos == null || infos.isEmpty()) throw new IllegalStateException("no such topic");
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo i : infos) parts.add(new TopicPartition(i.topic(), i.partition()));
        c.assign(parts);
        for (TopicPartition tp : parts) {
            Long at = positions.get(tp);
            if (at == null) c.seekToBeginning(List.of(tp));
            else c.seek(tp, at);
        }
        Map<TopicPartition, Long> end = caughtUp.getCount() == 0 ? Map.of() : c.endOffsets(parts, Duration.ofSeconds(5));
        if (degraded != null) log.info("templates.share: topic {} answers again", settings.topic());
        degraded = null;
        while (!closed) {
            for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                apply(r);
                positions.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
            }
            if (caughtUp.getCount() != 0) {
                boolean done = true;
                for (var e : end.entrySet()) if (c.position(e.getKey()) < e.getValue()) done = false;
                if (done) caughtUp.countDown();
            }
            if (degraded != null && degraded.contains("publish")) degraded = null; // reachable again
        }
    }

    private void apply(ConsumerRecord<byte[], byte[]> r) {
        stats.consumed.increment();
        Header from = r.headers().lastHeader(INSTANCE_HEADER);
        if (from != null && java.util.Arrays.equals(from.value(), instance)) {
            stats.ignoredOwn.increment();
            return;
        }
        try {
            Header t = r.headers().lastHeader(TIME_HEADER);
            long tombstoneMillis = t != null && t.value().length == 8 ? ByteBuffer.wrap(t.value()).getLong() : r.timestamp();
            SharedRecord s = SharedRecord.read(r.key(), r.value(), tombstoneMillis);
            ByteBuffer kb = ByteBuffer.wrap(r.key().clone());
            Known was = known.get(kb);
            if (was != null && was.fingerprint == s.fingerprint) {
                stats.duplicates.increment();
                return;
            }
            if (was != null && was.newerThan(s)) {
                stats.conflicts.increment(); // the exporter redefined it after: the newer definition stays
                return;
            }
            remember(kb, new Known(s.fingerprint, s.exportMillis, s.receivedMillis));
            TemplateMessage m = s.applyTo(store);
            if (m != null) {
                synchronized (applyLock) {
                    applier.apply(m);
                }
            }
            stats.applied.increment();
        } catch (IllegalArgumentException e) {
            stats.consumeErrors.increment();
        }
    }

    @Override
    public void close() {
        closed = true;
        store.setObserver(null);
        for (Thread t : new Thread[] {consumer, publisher}) {
            if (t == null) continue;
            try {
                t.join(3000); // the publisher sends what is queued; the consumer ends its poll
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) t.interrupt();
        }
    }
}

package io.sluice.output;

import io.sluice.flow.pb.CounterMessage;
import io.sluice.flow.pb.DropMessage;
import io.sluice.output.spool.KafkaSpool;
import io.sluice.output.spool.SpoolSettings;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
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
 *
 * <p>With {@code output.spool.directory} set, a flow record the producer refuses, or whose delivery fails
 * for a transient reason (timeout, broker away), goes to the disk spool ({@link KafkaSpool}, docs/spool.md)
 * instead of being dropped, and is replayed from there; only what does not fit in the spool is dropped
 * (spool_full). Live records keep going straight to the producer while the spool drains.
 */
public final class KafkaOutput implements FlowOutput {
    private static final Logger log = LoggerFactory.getLogger(KafkaOutput.class);

    private final KafkaSettings settings;
    private final Producer<byte[], byte[]> producer;
    private final List<Worker> workers = new ArrayList<>();
    /** The disk spool, or null (output.spool.directory empty). */
    private KafkaSpool spool;
    /** Set by close before the producer closes: the records it aborts then go to the spool whatever the error. */
    private volatile boolean closing;
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
        return open(settings, SpoolSettings.DEFAULTS);
    }

    /** As {@link #open(KafkaSettings)}, with the disk spool when {@code spool} has a directory (setting names: output.spool.*). */
    public static KafkaOutput open(KafkaSettings settings, SpoolSettings spool) throws OutputUnavailableException {
        long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
        KafkaStartupCheck.checkCluster(settings);
        Properties config = settings.producerConfig();
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(config);
        } catch (KafkaException e) {
            throw new OutputUnavailableException("producer", "the producer rejects its configuration: " + KafkaStartupCheck.rootMessage(e));
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
        if (spool.enabled()) {
            try {
                output.spool = KafkaSpool.start(spool, producer, settings.flowsTopic(), output::succeeded);
            } catch (IOException | RuntimeException e) {
                producer.close(Duration.ZERO);
                throw new OutputUnavailableException("output.spool.directory", "cannot use the spool directory " + spool.directory() + ": " + e);
            }
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
            throw new OutputUnavailableException("producer", "the producer rejects its configuration: " + KafkaStartupCheck.rootMessage(e));
        }
    }

    private void awaitMetadata(String topic, String key, long deadline) throws OutputUnavailableException {
        while (true) {
            try {
                if (!producer.partitionsFor(topic).isEmpty()) return;
            } catch (TimeoutException e) {
                // max.block.ms 0 (policy drop): the first call only requests the metadata; poll until it is there
            } catch (KafkaException e) {
                throw new OutputUnavailableException(key, "producer cannot get metadata of '" + topic + "': " + KafkaStartupCheck.rootMessage(e));
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
        if (spool != null) spool.stopReplay(); // what it has in flight stays in the spool unless acknowledged
        closing = true;
        producer.close(timeout); // records still queued then fail their callbacks: spooled, or counted as dropped
        if (spool != null) spool.close(); // fsync'd, the directory released for the next process
    }

    @Override
    public KafkaSpool spool() {
        return spool;
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
            log.warn("Kafka delivery failing (flows are {} until it recovers): {}",
                    spool == null ? "dropped and counted" : "spooled to " + spool.directory(), e.toString());
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

        /** The outcome of one record: without a spool the shared callback of its flow count; with one, a callback that can spool it. */
        private Callback callback(byte[] key, byte[] value, int flows) {
            if (spool == null) return flowCallbacks[flows];
            return (RecordMetadata md, Exception e) -> {
                if (e == null) {
                    stats.flowsSent(flows);
                    succeeded();
                } else if (!spooled(e, key, value, flows)) {
                    countFailure(e, flows);
                }
            };
        }

        /** True when the failed record went to the spool (or was dropped as spool_full); false: count it as without a spool. */
        private boolean spooled(Exception e, byte[] key, byte[] value, int flows) {
            if (!closing && !KafkaSpool.isTransient(e)) return false; // refused for good: a replay would be refused too
            boolean inSend = Thread.currentThread() == workerThread;
            KafkaSpool.Offer offer = spool.offer(flows, key, value, !inSend);
            if (offer == KafkaSpool.Offer.DETACHED) return false;
            if (offer == KafkaSpool.Offer.FULL) stats.dropped(DropReason.SPOOL_FULL, flows);
            if (inSend) spool.refusedNow(); // the next records skip the producer for a moment (see KafkaSpool.bypassing)
            if (!(e instanceof BufferExhaustedException)) {
                stats.error();
                failed(e);
            }
            return true;
        }

        /** Kafka refused the last record in send: this one goes to the spool without trying (never sent: cause refused). */
        private void offerDirectly(byte[] key, byte[] value, int flows) {
            switch (spool.offer(flows, key, value, false)) {
                case SPOOLED -> { }
                case FULL -> stats.dropped(DropReason.SPOOL_FULL, flows);
                case DETACHED -> stats.dropped(DropReason.UNAVAILABLE, flows); // closed meanwhile: as Kafka refused it
            }
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
                    if (spool != null && spool.bypassing()) offerDirectly(key, value, flows);
                    else producer.send(new ProducerRecord<>(topic, key, value), callback(key, value, flows));
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
                producer.send(new ProducerRecord<>(settings.flowsTopic(), key, value), callback(key, value, 1));
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

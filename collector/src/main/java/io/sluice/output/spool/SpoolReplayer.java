package io.sluice.output.spool;

import io.sluice.output.DropReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that sends spooled records back to Kafka, in spool order, through the output's own
 * producer. At most {@link #WINDOW_RECORDS} records / {@link #WINDOW_BYTES} bytes are outstanding, so
 * the replay never holds more than that of the producer's buffer: live flows keep the rest (and when
 * the buffer is full anyway, a replayed send is refused, retried after a back-off, and the live flows
 * that did not fit are spooled, not dropped). A record is acknowledged in the store when Kafka
 * acknowledged it; one whose send failed is sent again (after the back-off, before new ones); one Kafka
 * refuses for good (record too large, authorization) is dropped and counted as kafka_error.
 */
final class SpoolReplayer {
    private static final Logger log = LoggerFactory.getLogger(SpoolReplayer.class);
    static final int WINDOW_RECORDS = 8192;
    static final long WINDOW_BYTES = 4L << 20;
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long MIN_BACKOFF_MS = 50;
    private static final long MAX_BACKOFF_MS = 2000;

    private final KafkaSpool spool;
    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final Thread thread;
    private final AtomicInteger outstanding = new AtomicInteger();
    private final AtomicLong outstandingBytes = new AtomicLong();
    private final ConcurrentLinkedQueue<SpoolEntry> retry = new ConcurrentLinkedQueue<>();
    private final LongAdder replayed = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private volatile long backoffUntilNanos;
    private volatile long backoffMs = MIN_BACKOFF_MS;
    private volatile boolean stopping;

    SpoolReplayer(KafkaSpool spool, Producer<byte[], byte[]> producer, String topic) {
        this.spool = spool;
        this.producer = producer;
        this.topic = topic;
        this.thread = Thread.ofPlatform().name("sluice-spool-replay").daemon().unstarted(this::run);
    }

    void start() {
        thread.start();
    }

    void stop() {
        stopping = true;
        if (Thread.currentThread() == thread || !thread.isAlive()) return;
        // no interrupt: it would close the store's FileChannels under the thread. A send blocked under policy
        // block ends when the producer closes, right after this; the record stays in the spool.
        try {
            thread.join(TimeUnit.SECONDS.toMillis(1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    long replayedRecords() {
        return replayed.sum();
    }

    long retries() {
        return retries.sum();
    }

    private void run() {
        long lastSync = System.nanoTime();
        while (!stopping) {
            try {
                SpoolStore store = spool.store();
                if (store == null) {
                    if (!spool.tryAttach()) sleep(TimeUnit.MILLISECONDS.toNanos(500));
                    continue;
                }
                long now = System.nanoTime();
                store.flush(); // what the workers spooled is in the file within ~20 ms (a SIGKILL keeps it)
                if (now - lastSync >= TimeUnit.SECONDS.toNanos(1)) {
                    store.sync();
                    lastSync = now;
                }
                if (now - backoffUntilNanos < 0) {
                    sleep(Math.min(IDLE_NANOS, backoffUntilNanos - now));
                    continue;
                }
                if (!sendSome(store)) {
                    spool.checkDrained();
                    sleep(IDLE_NANOS);
                }
            } catch (RuntimeException e) {
                log.warn("spool replay: {}", e.toString());
                sleep(TimeUnit.SECONDS.toNanos(1));
            }
        }
    }

    /** Sends what the window has room for: retries first, then the next records; false when there was nothing to send. */
    private boolean sendSome(SpoolStore store) {
        int room = WINDOW_RECORDS - outstanding.get();
        long roomBytes = WINDOW_BYTES - outstandingBytes.get();
        if (room <= 0 || roomBytes <= 0) {
            sleep(TimeUnit.MILLISECONDS.toNanos(1));
            return true;
        }
        List<SpoolEntry> batch = new ArrayList<>();
        SpoolEntry r;
        while (batch.size() < room && (r = retry.poll()) != null) batch.add(r);
        if (batch.size() < room) batch.addAll(store.read(room - batch.size(), roomBytes));
        for (int i = 0; i < batch.size(); i++) {
            if (stopping) {
                return true; // not sent: still in the spool, unacknowledged
            }
            send(batch.get(i));
            if (System.nanoTime() - backoffUntilNanos < 0) { // Kafka refused one in send(): the rest waits too
                for (int j = i + 1; j < batch.size(); j++) retry.add(batch.get(j));
                break;
            }
        }
        return !batch.isEmpty() || outstanding.get() > 0;
    }

    private void send(SpoolEntry e) {
        outstanding.incrementAndGet();
        outstandingBytes.addAndGet(e.size());
        try {
            producer.send(new ProducerRecord<>(topic, e.key(), e.value()), (md, ex) -> completed(e, ex));
        } catch (KafkaException ex) { // producer closed, interrupted wait: not reported to the callback
            completed(e, ex);
        }
    }

    /** On the producer's I/O thread (or in send, for a refusal). */
    private void completed(SpoolEntry e, Exception ex) {
        try {
            SpoolStore store = spool.store();
            if (ex == null) {
                if (store != null) store.ack(e);
                replayed.increment();
                spool.replayStats().flowsSent(e.flows());
                spool.delivered();
                backoffMs = MIN_BACKOFF_MS;
            } else if (stopping || spool.closed()) {
                // closing: the record stays in the spool for the next process
            } else if (KafkaSpool.isTransient(ex)) {
                retries.increment();
                retry.add(e);
                long b = backoffMs;
                backoffUntilNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(b);
                backoffMs = Math.min(MAX_BACKOFF_MS, b * 2);
            } else {
                log.warn("Kafka refused a spooled record for good ({} flows dropped as kafka_error): {}", e.flows(), ex.toString());
                if (store != null) store.ack(e);
                spool.replayStats().error();
                spool.replayStats().dropped(DropReason.KAFKA_ERROR, e.flows());
            }
        } finally {
            outstandingBytes.addAndGet(-e.size());
            outstanding.decrementAndGet();
        }
    }

    private void sleep(long nanos) {
        LockSupport.parkNanos(Math.max(1, nanos));
    }
}

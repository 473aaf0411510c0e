package io.sluice.output.spool;

import io.sluice.output.OutputStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka output's disk spool (docs/spool.md): flow records Kafka refuses now (full buffer, no
 * metadata) or fails later (delivery timeout, broker errors) are appended to a {@link SpoolStore}
 * instead of being dropped, and a {@link SpoolReplayer} thread sends them back when Kafka takes them.
 *
 * <p>The directory is locked by its store. When another live process holds it (a handover: the
 * predecessor still runs), this output works without a spool (flows Kafka refuses are dropped as they
 * would be without one) and the replay thread takes the directory over as soon as the predecessor
 * releases it (it exits, or dies: the OS frees the lock), then replays what it left.
 */
public final class KafkaSpool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KafkaSpool.class);

    /** What {@link #offer} did with a record. */
    public enum Offer {
        /** On disk: pending until replayed. */
        SPOOLED,
        /** Over {@code output.spool.max-bytes}: the caller counts it dropped as spool_full. */
        FULL,
        /** No store (the directory is another process's for now, or the spool is closed): the caller drops it as without a spool. */
        DETACHED
    }

    private final SpoolSettings settings;
    private final Path dir;
    private final OutputStats replayStats = new OutputStats();
    private final LongAdder writtenRefused = new LongAdder();
    private final LongAdder writtenFailed = new LongAdder();
    private final LongAdder full = new LongAdder();
    private final SpoolReplayer replayer;
    private final Object state = new Object();
    private volatile SpoolStore store;
    private boolean spooling;
    private long episodeStartNanos;
    private long episodeReplayedStart;
    private volatile boolean closed;
    /** The output's "a delivery succeeded" (its readiness): a replayed record Kafka acknowledged is one. */
    private final Runnable delivered;

    private KafkaSpool(SpoolSettings settings, Producer<byte[], byte[]> producer, String topic, Runnable delivered) {
        this.settings = settings;
        this.delivered = delivered;
        this.dir = Path.of(settings.directory());
        this.replayer = new SpoolReplayer(this, producer, topic);
    }

    /** Opens the directory (or waits for it in the background, see the class comment) and starts the replay thread. */
    public static KafkaSpool start(SpoolSettings settings, Producer<byte[], byte[]> producer, String topic, Runnable delivered)
            throws IOException {
        KafkaSpool spool = new KafkaSpool(settings, producer, topic, delivered);
        try {
            spool.attach(SpoolStore.open(spool.dir, settings));
        } catch (SpoolLockedException e) {
            log.warn("{}: flows Kafka does not take are dropped as without a spool until it is released; then this process "
                    + "replays what the other left", e.getMessage());
        }
        spool.replayer.start();
        return spool;
    }

    /** The replay thread's attempt to take a locked directory over; true once it has it. */
    boolean tryAttach() {
        try {
            attach(SpoolStore.open(dir, settings));
            log.info("spool directory {} taken over from the previous process", dir);
            return true;
        } catch (SpoolLockedException e) {
            return false;
        } catch (IOException e) {
            log.warn("spool: cannot open {}: {}", dir, e.toString());
            return false;
        }
    }

    private void attach(SpoolStore s) {
        synchronized (state) {
            if (closed) {
                s.close();
                return;
            }
            store = s;
            if (s.records() > 0) {
                log.warn("spool {} holds {} records ({} flows, {} bytes) left by a previous process: replaying them", dir, s.recoveredRecords(),
                        s.recoveredFlows(), s.bytes());
                startEpisode();
            }
        }
    }

    private void startEpisode() {
        spooling = true;
        episodeStartNanos = System.nanoTime();
        episodeReplayedStart = replayer.replayedRecords();
    }

    /**
     * A flow record Kafka did not take. {@code failedAfterSend}: it was queued and its delivery failed,
     * so the broker may have written it (a replay can duplicate it); otherwise the producer refused it.
     */
    public Offer offer(int flows, byte[] key, byte[] value, boolean failedAfterSend) {
        SpoolStore s = store;
        if (s == null) return Offer.DETACHED;
        synchronized (state) {
            if (!s.append(SpoolEntry.FLOWS, flows, key, value)) {
                if (closed) return Offer.DETACHED;
                full.add(flows);
                return Offer.FULL;
            }
            (failedAfterSend ? writtenFailed : writtenRefused).increment();
            if (!spooling) {
                startEpisode();
                log.warn("Kafka does not take flows now ({}): spooling them to {} (at most {} bytes), /healthz says 503 'spooling' until it has drained",
                        failedAfterSend ? "deliveries fail" : "the producer refuses them", dir, settings.maxBytes());
            }
        }
        return Offer.SPOOLED;
    }

    /** Called by the replay thread when it finds nothing to send: ends the episode once the spool is empty. */
    void checkDrained() {
        synchronized (state) {
            SpoolStore s = store;
            if (!spooling || s == null || s.records() > 0) return;
            spooling = false;
            log.info("spool drained: {} records replayed to Kafka in {} s", replayer.replayedRecords() - episodeReplayedStart,
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - episodeStartNanos));
        }
    }

    /** How long after a refusal in send live records go to the spool without trying the producer. */
    static final long BYPASS_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private volatile long bypassUntilNanos;

    /**
     * The producer refused a record in send (no metadata, full buffer): it will refuse the next ones too,
     * each at the cost of an exception, several µs, which at a few hundred thousand flows per second is
     * more than the workers have. So for {@link #BYPASS_NANOS} live records go straight to the spool
     * (an append costs well under a µs); then the producer is tried again.
     */
    public void refusedNow() {
        bypassUntilNanos = System.nanoTime() + BYPASS_NANOS;
    }

    /** Whether live records skip the producer now ({@link #refusedNow}); only while this process holds the directory. */
    public boolean bypassing() {
        long until = bypassUntilNanos;
        return until != 0 && System.nanoTime() - until < 0 && store != null;
    }

    /** Whether a delivery failure is Kafka being away or slow (spooled) rather than the record being refused for good (dropped). */
    public static boolean isTransient(Exception e) {
        return e instanceof BufferExhaustedException || e instanceof TimeoutException || e instanceof RetriableException;
    }

    /** Why /healthz says 503: records are in the spool (being written or not yet replayed); null when empty. */
    public String unhealthy() {
        SpoolStore s = store;
        if (s == null) return null;
        long records = s.records();
        if (records == 0) return null;
        return "spooling: " + records + " records (" + s.flows() + " flows, " + s.bytes() + " bytes) in the disk spool " + dir
                + ", the oldest " + oldestAgeSeconds() + " s old; Kafka does not take them yet";
    }

    /** Whether this process holds the directory (false while another process does, see the class comment). */
    public boolean attached() {
        return store != null;
    }

    void delivered() {
        delivered.run();
    }

    SpoolStore store() {
        return store;
    }

    boolean closed() {
        return closed;
    }

    // ---- for the metrics (docs/spool.md) ----

    public long bytes() {
        return ofStore(SpoolStore::bytes);
    }

    public long records() {
        return ofStore(SpoolStore::records);
    }

    public long flows() {
        return ofStore(SpoolStore::flows);
    }

    /** A figure of the store, 0 while this process has none (a predecessor still holds the directory). */
    private long ofStore(java.util.function.ToLongFunction<SpoolStore> figure) {
        SpoolStore s = store;
        return s == null ? 0 : figure.applyAsLong(s);
    }

    public double oldestAgeSeconds() {
        SpoolStore s = store;
        long oldest = s == null ? -1 : s.oldestMillis();
        return oldest < 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest) / 1000.0;
    }

    /** Records the producer refused (never sent: cannot be duplicated by the replay). */
    public long writtenRefused() {
        return writtenRefused.sum();
    }

    /** Records whose delivery failed after they were queued (the broker may have written them). */
    public long writtenFailed() {
        return writtenFailed.sum();
    }

    public long replayedRecords() {
        return replayer.replayedRecords();
    }

    /** Replayed sends that failed and were sent again (each may duplicate a record, see docs/spool.md). */
    public long replayRetries() {
        return replayer.retries();
    }

    public long corrupt() {
        return ofStore(SpoolStore::corrupt);
    }

    /** Flows found in the directory when this process took it (a previous process spooled them). */
    public long recoveredFlows() {
        return ofStore(SpoolStore::recoveredFlows);
    }

    /** Replayed flows as the ledger counts them: sent when Kafka acknowledged them, dropped when it refused them for good. */
    public OutputStats replayStats() {
        return replayStats;
    }

    public Path directory() {
        return dir;
    }

    /** Stops replaying (what is in flight stays in the spool unless acknowledged); the producer may still spool its failures after this. */
    public void stopReplay() {
        replayer.stop();
    }

    /** After the producer is closed: writes out, fsyncs and releases the directory. */
    @Override
    public void close() {
        replayer.stop();
        synchronized (state) {
            if (closed) return;
            closed = true;
            SpoolStore s = store;
            if (s != null) {
                if (s.records() > 0) {
                    log.warn("spool {} keeps {} records ({} flows) for the next process", dir, s.records(), s.flows());
                }
                s.close();
            }
        }
    }
}

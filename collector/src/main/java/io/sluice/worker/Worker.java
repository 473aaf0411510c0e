package io.sluice.worker;

import io.sluice.decode.Datagram;
import io.sluice.libbpf.Errno;
import io.sluice.libbpf.errno_h;
import io.sluice.socket.BatchReceiver;
import io.sluice.socket.WakeSignal;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread receiving from one socket of the reuseport group and handing each datagram to its
 * {@link DatagramHandler}. The loop waits with poll (short timeout), then reads batches without
 * blocking until EAGAIN. {@link #stop()} makes it stop waiting, drain the socket until EAGAIN, call
 * {@code onStop} and exit; the socket is closed by the owner only after that (a close drops what
 * is still queued).
 */
public final class Worker {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String name;
    private final int fd;
    private final DatagramHandler handler;
    private final ReceiveStats stats;
    private final ReceiveOptions options;
    private final Thread thread;
    private final WakeSignal wake = new WakeSignal();
    private volatile boolean stopping;
    private long lastHandlerLogNanos = System.nanoTime() - LOG_INTERVAL_NANOS;
    private long lastReceiveLogNanos = System.nanoTime() - LOG_INTERVAL_NANOS;
    // Wall clock as epoch ns from one base plus the monotonic clock: no allocation per batch.
    private final long epochBaseNanos = System.currentTimeMillis() * 1_000_000L;
    private final long monotonicBaseNanos = System.nanoTime();

    /**
     * @param name thread name, by convention {@code sluice-worker-<listener>-<i>}
     * @param fd the socket, owned by the caller and kept open until this worker has exited
     */
    public Worker(String name, int fd, DatagramHandler handler, ReceiveStats stats, ReceiveOptions options) {
        this.name = name;
        this.fd = fd;
        this.handler = handler;
        this.stats = stats;
        this.options = options;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    /** Makes the loop stop waiting (at once: its poll includes a wake-up fd), drain and exit; returns at once ({@link #awaitExit}). */
    public void stop() {
        stopping = true;
        wake.signal();
    }

    /** @return true if the thread has exited within {@code timeout} */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return thread.join(timeout);
    }

    /** Releases what a never-started worker holds (its wake-up fd); a started one releases it on exit. */
    void discard() {
        if (!thread.isAlive() && thread.getState() == Thread.State.NEW) {
            wake.close();
        }
    }

    public boolean isAlive() {
        return thread.isAlive();
    }

    public String name() {
        return name;
    }

    public ReceiveStats stats() {
        return stats;
    }

    private void run() {
        Datagram datagram = new Datagram(0);
        try (wake; BatchReceiver receiver = new BatchReceiver(fd, options.batchSize(), options.slotBytes(), wake.fd())) {
            boolean open = true;
            while (open && !stopping) {
                if (receiver.awaitReadable(options.pollTimeoutMillis())) {
                    open = drain(receiver, datagram, Long.MAX_VALUE);
                }
                idle();
            }
            if (open) {
                // Stopping: whatever the kernel queued on this socket is ours to deliver before close.
                long deadline = System.nanoTime() + options.drainLimit().toNanos();
                if (drain(receiver, datagram, deadline)) discardTheRest(receiver);
            }
        } catch (RuntimeException | Error e) {
            // A dead worker leaves its socket unread while the process looks alive: rethrown, so the
            // process's uncaught-exception policy (RunCommand: exit 70, the supervisor restarts) applies.
            LOG.error("worker {} failed: {}", name, e.toString(), e);
            throw e;
        } finally {
            try {
                handler.onStop();
            } catch (RuntimeException e) {
                stats.handlerError();
                LOG.warn("worker {}: handler onStop failed: {}", name, e.toString(), e);
            }
        }
    }

    /**
     * Reads batches until EAGAIN (or the deadline), delivering each datagram.
     *
     * @return false if the socket is gone (EBADF): the loop must end
     */
    private boolean drain(BatchReceiver receiver, Datagram datagram, long deadlineNanos) {
        while (true) {
            int n = receiver.receive();
            if (n == 0) {
                return true;
            }
            if (n < 0) {
                stats.receiveError();
                logReceiveError(-n);
                return -n != errno_h.EBADF();
            }
            long now = wallClockNanos();
            int delivered = 0;
            long bytes = 0;
            for (int i = 0; i < n; i++) {
                if (receiver.truncated(i)) {
                    stats.truncatedDatagram();
                    continue;
                }
                receiver.fill(i, datagram);
                datagram.timeReceivedNs = now;
                delivered++;
                bytes += datagram.length;
                deliver(datagram);
            }
            stats.receivedBatch(delivered, bytes);
            idle();
            if (deadlineNanos == Long.MAX_VALUE) {
                if (stopping) {
                    return true; // under sustained traffic: hand over to the bounded final drain
                }
            } else if (System.nanoTime() - deadlineNanos > 0) {
                LOG.warn("worker {}: stopped draining after {} with datagrams still queued (a backlog longer than the "
                        + "bound, or the kernel still steers to this socket)", name, options.drainLimit());
                return true;
            }
        }
    }

    /** How long reading what is left after the drain bound may take (reading without decoding: a million or more a second). */
    private static final long DISCARD_LIMIT_NANOS = 1_000_000_000L;

    /**
     * After the drain bound: reads what the socket still holds without decoding it, and counts it
     * (sluice_datagrams_discarded_at_stop_total). Closing the socket would throw it away uncounted, a
     * loss nobody could see (the bench found 72-86k datagrams per handover so, with 256 MiB buffers and
     * a 2 s bound). Bounded too, for a socket the kernel still steers to.
     */
    private void discardTheRest(BatchReceiver receiver) {
        long deadline = System.nanoTime() + DISCARD_LIMIT_NANOS;
        long discarded = 0;
        int n;
        while ((n = receiver.receive()) > 0) {
            stats.discardedAtStop(n);
            discarded += n;
            if (System.nanoTime() - deadline > 0) break;
        }
        if (discarded > 0) {
            LOG.warn("worker {}: {} datagrams still queued after the drain bound of {} were discarded (counted in "
                    + "sluice_datagrams_discarded_at_stop_total; shutdown-timeout sets the bound, a third of it)", name, discarded,
                    options.drainLimit());
        }
    }

    private void deliver(Datagram datagram) {
        try {
            handler.onDatagram(datagram);
        } catch (RuntimeException e) {
            stats.handlerError();
            long now = System.nanoTime();
            if (now - lastHandlerLogNanos >= LOG_INTERVAL_NANOS) {
                lastHandlerLogNanos = now;
                LOG.warn("worker {}: handler failed on a datagram ({} failures so far, logged at most every 10 s): {}",
                        name, stats.handlerErrors(), e.toString(), e);
            }
        }
    }

    private void idle() {
        try {
            handler.onIdle(System.nanoTime());
        } catch (RuntimeException e) {
            stats.handlerError();
            long now = System.nanoTime();
            if (now - lastHandlerLogNanos >= LOG_INTERVAL_NANOS) {
                lastHandlerLogNanos = now;
                LOG.warn("worker {}: handler onIdle failed: {}", name, e.toString(), e);
            }
        }
    }

    private void logReceiveError(int errno) {
        long now = System.nanoTime();
        if (now - lastReceiveLogNanos >= LOG_INTERVAL_NANOS) {
            lastReceiveLogNanos = now;
            LOG.warn("worker {}: receive failed: {} ({} errors so far, logged at most every 10 s)",
                    name, Errno.describe(errno), stats.receiveErrors());
        }
    }

    private long wallClockNanos() {
        return epochBaseNanos + (System.nanoTime() - monotonicBaseNanos);
    }
}

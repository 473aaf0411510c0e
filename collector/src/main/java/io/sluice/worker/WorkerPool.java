package io.sluice.worker;

import io.sluice.socket.ReuseportSocketGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link Worker} per socket of a {@link ReuseportSocketGroup}, threads named
 * {@code sluice-worker-<listener>-<i>}. {@link #close()} is the graceful order: stop every worker,
 * let each drain its socket until EAGAIN and call onStop, and only then close the sockets.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);
    /** Longest wait for the workers in {@link #close()}: their drain limit plus a margin. */
    private static final Duration EXIT_MARGIN = Duration.ofSeconds(5);

    private final String listener;
    private final ReuseportSocketGroup group;
    private final ReceiveOptions options;
    private final List<Worker> workers;
    private final List<ReceiveStats> stats;
    private boolean started;
    private boolean closed;

    /**
     * @param handlers makes the handler of worker {@code i} (each worker owns its handler: no sharing)
     */
    public WorkerPool(String listener, ReuseportSocketGroup group, IntFunction<DatagramHandler> handlers,
            ReceiveOptions options) {
        this.listener = listener;
        this.group = group;
        this.options = options;
        List<Worker> ws = new ArrayList<>(group.size());
        List<ReceiveStats> ss = new ArrayList<>(group.size());
        for (int i = 0; i < group.size(); i++) {
            ReceiveStats s = new ReceiveStats();
            ss.add(s);
            ws.add(new Worker(threadName(listener, i), group.fd(i), handlers.apply(i), s, options));
        }
        this.workers = Collections.unmodifiableList(ws);
        this.stats = Collections.unmodifiableList(ss);
    }

    public static String threadName(String listener, int index) {
        return "sluice-worker-" + listener + "-" + index;
    }

    public synchronized void start() {
        if (started) {
            throw new IllegalStateException("workers of " + listener + " already started");
        }
        started = true;
        workers.forEach(Worker::start);
    }

    /**
     * Stops every worker (each drains its socket until EAGAIN, calls onStop and exits) and waits.
     * The sockets stay open.
     *
     * @return true if all exited within {@code timeout}
     */
    public boolean stop(Duration timeout) throws InterruptedException {
        workers.forEach(Worker::stop); // all at once: they drain in parallel
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean all = true;
        for (Worker w : workers) {
            long left = Math.max(0, deadline - System.nanoTime());
            all &= w.awaitExit(Duration.ofNanos(left));
        }
        return all;
    }

    /**
     * Stops and drains the workers, then closes the sockets. A socket whose worker did not exit in
     * time is left open (its fd number could otherwise be reused under the still-running thread).
     */
    @Override
    public void close() {
        close(() -> { });
    }

    /** As {@link #close()}, running {@code beforeSocketsClose} once the workers exited and before the sockets close. */
    public synchronized void close(Runnable beforeSocketsClose) {
        if (closed) {
            return;
        }
        closed = true;
        boolean exited;
        try {
            exited = !started || stop(options.drainLimit().plus(EXIT_MARGIN));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = false;
        }
        if (!started) {
            workers.forEach(Worker::discard);
        }
        if (exited) {
            beforeSocketsClose.run();
            group.close();
        } else {
            for (Worker w : workers) {
                if (w.isAlive()) {
                    LOG.error("worker {} did not exit: its socket stays open", w.name());
                }
            }
        }
    }

    public String listener() {
        return listener;
    }

    public ReuseportSocketGroup group() {
        return group;
    }

    public int size() {
        return workers.size();
    }

    public ReceiveStats stats(int index) {
        return stats.get(index);
    }

    public List<ReceiveStats> stats() {
        return stats;
    }

    public List<Worker> workers() {
        return workers;
    }

    /** Datagrams delivered by all workers. */
    public long packets() {
        long sum = 0;
        for (ReceiveStats s : stats) sum += s.packets();
        return sum;
    }
}

package io.sluice.service;

import io.sluice.config.SluiceConfig;
import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.socket.SocketDrops;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.Steering;
import io.sluice.steering.SteeringMode;
import io.sluice.worker.DatagramHandler;
import io.sluice.worker.ReceiveOptions;
import io.sluice.worker.ReceiveStats;
import io.sluice.worker.WorkerPool;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The production receive path of one listener: a {@link ReuseportSocketGroup} of N sockets, the eBPF
 * steering (or the kernel hash when it cannot load), one recvmmsg {@link WorkerPool} thread per socket,
 * and the kernel's per-socket drop counters.
 */
public final class ReuseportReceivePath implements ReceivePath {
    private static final Logger log = LoggerFactory.getLogger(ReuseportReceivePath.class);
    /** Scrapes read every worker's drops: parse /proc/net/udp{,6} once per scrape, not once per worker. */
    private static final long DROPS_CACHE_NANOS = 200_000_000L;

    private final ReuseportSocketGroup group;
    private final Steering steering;
    private final WorkerPool pool;
    private final SocketDrops drops;
    private long[] lastDrops;
    private long lastDropsNanos;
    private volatile boolean running;
    private volatile boolean closed;

    private ReuseportReceivePath(ReuseportSocketGroup group, Steering steering, WorkerPool pool, SocketDrops drops) {
        this.group = group;
        this.steering = steering;
        this.pool = pool;
        this.drops = drops;
    }

    /** The factory the service uses: the BPF object bundled in the jar. */
    public static final ReceivePath.Factory FACTORY = (listener, handlers) -> open(listener, handlers, BpfObjectSource.bundled());

    public static ReuseportReceivePath open(SluiceConfig.Listener listener, IntFunction<DatagramHandler> handlers,
                                            BpfObjectSource bpf) throws IOException {
        ReuseportSocketGroup group = ReuseportSocketGroup.open(listener.address(), listener.workers(), listener.rcvbuf());
        try {
            Steering steering = Steering.attachOrFallback(listener.name(), group, SteeringMode.parse(listener.steering().configName), bpf);
            SocketDrops drops = SocketDrops.of(group);
            WorkerPool pool = new WorkerPool(listener.name(), group, handlers, ReceiveOptions.DEFAULT);
            return new ReuseportReceivePath(group, steering, pool, drops);
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return group.localAddress();
    }

    @Override
    public int workers() {
        return pool.size();
    }

    @Override
    public ReceiveStats receiveStats(int worker) {
        return pool.stats(worker);
    }

    @Override
    public synchronized long socketDrops(int worker) {
        long now = System.nanoTime();
        if (lastDrops == null || now - lastDropsNanos > DROPS_CACHE_NANOS) {
            try {
                long[] read = drops.read();
                // a closed socket reads -1: keep its last count, a counter never goes back
                if (lastDrops != null) for (int i = 0; i < read.length; i++) if (read[i] < 0) read[i] = lastDrops[i];
                lastDrops = read;
                lastDropsNanos = now;
            } catch (IOException e) {
                log.warn("cannot read socket drops: {}", e.toString());
                return lastDrops == null ? -1 : lastDrops[worker];
            }
        }
        return lastDrops[worker];
    }

    @Override
    public boolean ebpfLoaded() {
        return steering.ebpfLoaded();
    }

    @Override
    public boolean running() {
        return running && !closed;
    }

    @Override
    public void start() {
        pool.start();
        running = true;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        pool.close(); // stop, drain until EAGAIN, onStop, then close the sockets
        steering.close();
    }
}

package io.sluice.service;

import io.sluice.config.SluiceConfig;
import io.sluice.handover.Handover;
import io.sluice.handover.HandoverSettings;
import io.sluice.handover.TrafficRamp;
import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.socket.SocketDrops;
import io.sluice.guard.ListenerGuard;
import io.sluice.guard.UserSpaceAllowList;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.GuardRules;
import io.sluice.steering.GuardUnavailableException;
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
 *
 * <p>The service holds this concrete type (no interface): the tests drive the real sockets and BPF,
 * so a second implementation would only be a mock of what runs here.
 */
public final class ReuseportReceivePath implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReuseportReceivePath.class);
    /** Scrapes read every worker's drops: parse /proc/net/udp{,6} once per scrape, not once per worker. */
    private static final long DROPS_CACHE_NANOS = 200_000_000L;

    private final String name;
    private final ReuseportSocketGroup group;
    private final Steering steering;
    private final WorkerPool pool;
    private final SocketDrops drops;
    private final ListenerGuard guard;
    private long[] lastDrops;
    private long lastDropsNanos;
    private Handover handover;
    private volatile boolean running;
    private volatile boolean closed;

    private ReuseportReceivePath(String name, ReuseportSocketGroup group, Steering steering, WorkerPool pool, SocketDrops drops,
            ListenerGuard guard) {
        this.guard = guard;
        this.name = name;
        this.group = group;
        this.steering = steering;
        this.pool = pool;
        this.drops = drops;
    }

    /** {@link #open(SluiceConfig.Listener, IntFunction, BpfObjectSource, ReceiveOptions)} with the BPF object bundled in the jar and the default receive options. */
    public static ReuseportReceivePath open(SluiceConfig.Listener listener, IntFunction<DatagramHandler> handlers) throws IOException {
        return open(listener, handlers, BpfObjectSource.bundled(), ReceiveOptions.DEFAULT);
    }

    /**
     * Opens and binds a listener's sockets and loads its program (workers not started, program not
     * attached: {@link #start}, then {@link #steer}).
     *
     * @param handlers the handler of worker {@code i}, called once per worker while opening
     * @param receive how the workers receive, their drain bound at a stop included
     * @throws IOException the address cannot be bound (in use, not local, no permission)
     */
    public static ReuseportReceivePath open(SluiceConfig.Listener listener, IntFunction<DatagramHandler> handlers,
                                            BpfObjectSource bpf, ReceiveOptions receive) throws IOException {
        ReuseportSocketGroup group = ReuseportSocketGroup.open(listener.address(), listener.workers(), listener.rcvbuf());
        try {
            SteeringMode mode = listener.steering();
            GuardRules rules = listener.guard();
            Steering steering;
            UserSpaceAllowList.Table userSpace = null;
            try {
                steering = Steering.loadOrFallback(listener.name(), group, mode, bpf, rules);
            } catch (GuardUnavailableException e) {
                if (!listener.guardUserSpace()) throw e;
                log.warn("listener {}: {}; guard-fallback: user-space, so the workers check the allow-list instead: refused "
                        + "datagrams still take socket buffer space (docs/security.md){}", listener.name(), e.getMessage(),
                        rules.rateLimit() != null ? "; the rate-limit is NOT enforced" : "");
                steering = Steering.loadOrFallback(listener.name(), group, mode, bpf, GuardRules.NONE);
                userSpace = new UserSpaceAllowList.Table();
                userSpace.set(rules.allow());
            }
            UserSpaceAllowList.Table table = userSpace;
            UserSpaceAllowList[] filters = new UserSpaceAllowList[listener.workers()];
            IntFunction<DatagramHandler> workerHandlers = table == null ? handlers
                    : i -> filters[i] = new UserSpaceAllowList(handlers.apply(i), table);
            SocketDrops drops = SocketDrops.of(group);
            WorkerPool pool = new WorkerPool(listener.name(), group, workerHandlers, receive);
            ListenerGuard guard = new ListenerGuard(listener.name(), steering, rules, table, () -> {
                long sum = 0;
                for (UserSpaceAllowList f : filters) if (f != null) sum += f.refused();
                return sum;
            });
            return new ReuseportReceivePath(listener.name(), group, steering, pool, drops, guard);
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    public ListenerGuard guard() {
        return guard;
    }

    public InetSocketAddress localAddress() {
        return group.localAddress();
    }

    public int workers() {
        return pool.size();
    }

    public ReceiveStats receiveStats(int worker) {
        return pool.stats(worker);
    }

    public synchronized long socketDrops(int worker) {
        if (lastDrops == null || System.nanoTime() - lastDropsNanos > DROPS_CACHE_NANOS) {
            try {
                readDrops();
            } catch (IOException e) {
                log.warn("cannot read socket drops: {}", e.toString());
                return lastDrops == null ? -1 : lastDrops[worker];
            }
        }
        return lastDrops[worker];
    }

    private void readDrops() throws IOException {
        long[] read = drops.read();
        // a closed socket reads -1: keep its last count, a counter never goes back
        if (lastDrops != null) for (int i = 0; i < read.length; i++) if (read[i] < 0) read[i] = lastDrops[i];
        lastDrops = read;
        lastDropsNanos = System.nanoTime();
    }

    /**
     * The sockets' drop counters read once more after the drain, while the sockets are still open: once
     * closed they leave /proc/net/udp, and what they dropped since the last scrape (a successor's first
     * seconds, the last moments before a stop) would be missing from sluice_socket_drops_total and from
     * the totals logged at the stop. Found by the bench's handover accounting (issue 14).
     */
    private synchronized void readFinalDrops() {
        try {
            readDrops();
        } catch (IOException e) {
            log.warn("cannot read the sockets' last drop counts: {}", e.toString());
        }
    }

    public boolean ebpfLoaded() {
        return steering.ebpfLoaded();
    }

    public boolean running() {
        return running && !closed;
    }

    public void start() {
        pool.start();
        running = true;
    }

    /**
     * Attaches this listener's program to the port's reuseport group: from here the kernel steers every
     * datagram to this process's sockets. Called once the workers run (and are warm), so that a successor
     * never takes traffic it cannot read yet; until then a predecessor's program keeps its traffic.
     *
     * @throws GuardUnavailableException the kernel refused the attach and the listener has an allow-list
     */
    public void steer() {
        steering.attach(group);
    }

    /**
     * Whether another process holds sockets bound like this listener's (a predecessor serving the port:
     * a handover is about to happen). False when that cannot be read: the warm-up is then skipped, not the start.
     */
    public boolean servedByAnotherProcess() {
        try {
            return !io.sluice.handover.SocketHolders.of(group).isEmpty();
        } catch (java.io.IOException | RuntimeException e) {
            log.debug("listener {}: cannot tell whether another process serves the port: {}", name, e.toString());
            return false;
        }
    }

    /**
     * Takes this listener over from a sluice that served its address before (docs/upgrade.md): pins the
     * handover state and finds the previous owner, which is stopped once every listener has taken over
     * ({@link Handover#stopPredecessors}). Called after {@link #start()}; null when handover is off.
     * The pin directory is named after the bound address (not the configured text), so that every
     * spelling of one address ("0.0.0.0:2055", ":2055") finds the same pins.
     */
    public synchronized Handover takeOver(HandoverSettings settings) {
        if (!settings.enabled() || handover != null) return handover;
        handover = Handover.takeOver(settings, boundName(), group, steering);
        return handover;
    }

    /**
     * Before {@link #steer}: moves the predecessor's traffic to this listener's sockets slot by slot
     * ({@link TrafficRamp}). Not on the hash: there the switch detaches the old program
     * instead, and the kernel spreads over both processes' sockets until the old one stops.
     */
    public TrafficRamp.Result rampFromPredecessor(HandoverSettings settings) {
        if (steering.bpf().isEmpty()) return TrafficRamp.Result.NONE;
        return TrafficRamp.run(settings, boundName(), group, settings.ramp());
    }

    private String boundName() {
        InetSocketAddress a = group.localAddress();
        String host = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * Stops reading, drains each socket until it would block, calls every handler's onStop, then
     * closes the sockets. Returns when the workers have exited (or their drain bound passed).
     */
    @Override
    public void close() {
        Handover h;
        synchronized (this) {
            if (closed) return;
            closed = true;
            h = handover;
        }
        // No new datagram may reach a socket that is draining (a successor's program, or leaving the hash).
        if (h != null) h.beforeDrain();
        long before = pool.packets();
        long t0 = System.nanoTime();
        pool.close(this::readFinalDrops); // stop, drain until EAGAIN, onStop, read the drops, then close the sockets
        long after = pool.packets();
        log.info("listener {}: drained {} datagrams in {} ms after the stop; received {} in all", name, after - before,
                (System.nanoTime() - t0) / 1_000_000, after);
        steering.close();
        if (h != null) h.close(); // the pins go only if still this process's
    }
}

package io.sluice.service;

import io.sluice.config.SluiceConfig;
import io.sluice.guard.ListenerGuard;
import io.sluice.handover.Handover;
import io.sluice.worker.DatagramHandler;
import io.sluice.worker.ReceiveStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.IntFunction;

/**
 * The receive side of one listener as the service drives it: N sockets bound to one address, their
 * steering, and one worker thread per socket calling its own {@link DatagramHandler}. The service is
 * written against this so it does not care how the sockets are read; {@link ReuseportReceivePath}
 * is the production one (reuseport group, eBPF steering, recvmmsg workers).
 */
public interface ReceivePath extends AutoCloseable {

    /** Opens and binds a listener's sockets (workers not started yet). */
    @FunctionalInterface
    interface Factory {
        /**
         * @param handlers the handler of worker {@code i}, called once per worker while opening
         * @throws IOException the address cannot be bound (in use, not local, no permission)
         */
        ReceivePath open(SluiceConfig.Listener listener, IntFunction<DatagramHandler> handlers) throws IOException;
    }

    /** The bound address (with the port the kernel chose when 0 was configured). */
    InetSocketAddress localAddress();

    int workers();

    /** Receive counters of worker {@code i} (written by its thread). */
    ReceiveStats receiveStats(int worker);

    /** The kernel's drop count of worker {@code i}'s socket; -1 when it cannot be read. */
    long socketDrops(int worker);

    /** Whether an eBPF program steers this listener's packets. */
    boolean ebpfLoaded();

    /** Whether the sockets are bound and the workers run. */
    boolean running();

    void start();

    /**
     * Takes this listener over from a sluice that served its address before (docs/upgrade.md): pins the
     * handover state and finds the previous owner, which the service stops once every listener has
     * taken over ({@link Handover#stopPredecessors}). Called after {@link #start()}.
     *
     * @return the handover, or null for a receive path without one
     */
    default Handover takeOver(SluiceConfig.Handover settings) {
        return null;
    }

    /** The listener's guard (allow-list, rate limit; docs/security.md), or null for a receive path without one. */
    default ListenerGuard guard() {
        return null;
    }

    /**
     * Stops reading, drains each socket until it would block, calls every handler's onStop, then
     * closes the sockets. Returns when the workers have exited (or their drain bound passed).
     */
    @Override
    void close();
}

package io.sluice.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.lang.management.ManagementFactory;

/**
 * Bytes the JVM has allocated on the heap since it started, summed over every thread (live and ended),
 * as the HotSpot thread allocation counters keep them. `make bench` divides its delta by the datagrams
 * received to report heap allocated per datagram end to end.
 *
 * <p>Why not Prometheus' own {@code jvm_memory_pool_allocated_bytes_total}: that one moves only when a
 * GC runs (it sums each pool's usage before a collection), so over a window without a GC it reads 0, and
 * it misses humongous objects allocated straight into the old generation. These counters are exact at
 * any moment and cost one pass over the threads per scrape, never anything on the hot path.
 */
final class HeapAllocationMetrics {
    private HeapAllocationMetrics() {}

    /** Registers the counter if this JVM keeps allocation counters (HotSpot does, by default). */
    static void register(PrometheusRegistry registry) {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()) {
            return;
        }
        CounterWithCallback.builder()
                .name("sluice_jvm_heap_allocated_bytes_total")
                .help("bytes allocated on the Java heap by all threads since the JVM started (ThreadMXBean)")
                .callback(cb -> cb.call(threads.getTotalThreadAllocatedBytes()))
                .register(registry);
    }
}

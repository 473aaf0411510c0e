package io.sluice.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.testing.MetricsScrape;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The heap allocation counter the bench divides by datagrams, scraped over real HTTP. */
class HeapAllocationMetricsTest {
    private static final String NAME = "sluice_jvm_heap_allocated_bytes_total";
    private static final int MIB = 1 << 20;

    /** Kept reachable so the JIT cannot drop the allocations as dead. */
    private static volatile byte[][] kept;

    @Test
    void countsWhatEveryThreadAllocatedIncludingThreadsThatEnded() throws Exception {
        ServiceMetrics metrics = new ServiceMetrics(new PrometheusRegistry(), true);
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                metrics.registry(), () -> new MetricsServer.Health(true, ""))) {
            String base = "http://127.0.0.1:" + server.port();
            long before = MetricsScrape.get(base).sum(NAME);
            assertTrue(before > 0, "the JVM allocated something before the first scrape: " + before);

            Thread ended = new Thread(() -> kept = allocate(32));
            ended.start();
            ended.join();
            kept = allocate(32);
            long after = MetricsScrape.get(base).sum(NAME);

            // 64 MiB allocated by two threads (one of them gone), plus whatever the scrapes themselves cost.
            long delta = after - before;
            assertTrue(delta >= 64L * MIB, "delta " + delta + " bytes, expected at least 64 MiB");
            assertTrue(delta < 96L * MIB, "delta " + delta + " bytes: far more than was allocated");
        }
    }

    private static byte[][] allocate(int mebibytes) {
        byte[][] arrays = new byte[mebibytes][];
        for (int i = 0; i < mebibytes; i++) arrays[i] = new byte[MIB];
        return arrays;
    }
}

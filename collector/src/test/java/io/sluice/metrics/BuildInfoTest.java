package io.sluice.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.testing.MetricsScrape;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** sluice_build_info on /metrics says which build runs: the version and revision bin/build-info wrote, the Java runtime. */
class BuildInfoTest {
    @Test
    void scrapedWithVersionRevisionAndJava() throws Exception {
        ServiceMetrics metrics = new ServiceMetrics(new PrometheusRegistry(), false);
        BuildInfo build = BuildInfo.current();
        assertTrue(!build.version().equals("unknown") && !build.revision().equals("unknown"), build.toString());
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), metrics.registry(),
                () -> new MetricsServer.Health(true, "ok"))) {
            MetricsScrape s = MetricsScrape.get("http://127.0.0.1:" + server.port());
            assertEquals(1, s.sum("sluice_build_info", "version", build.version(), "revision", build.revision(),
                    "java", Runtime.version().toString()));
        }
    }
}

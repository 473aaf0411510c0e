package io.sluice.contrib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.testing.SluiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PrometheusAlertsTest's scenario against the real binary: Debian's Prometheus scrapes a
 * {@code bin/sluice run} process (the packaged jar, its own JVM) with the same settings, and the shipped
 * rules stay quiet on healthy hsflowd traffic and fire on induced upstream loss and kernel drops; the
 * dashboard names only metrics the process's scrape contains.
 */
class PrometheusAlertsIT {
    @Test
    void realPrometheusScrapesBinSluiceRun(@TempDir Path tmp) throws Exception {
        PrometheusAlertsTest.requireTool("prometheus");
        String[] settings = PrometheusAlertsTest.SLUICE_SETTINGS.toArray(String[]::new);
        String[] extra = java.util.Arrays.copyOf(settings, settings.length + 1);
        extra[settings.length] = "--handover.enabled=false"; // nothing to take over, nothing to pin
        try (SluiceProcess sluice = SluiceProcess.start(Path.of("/dev/null"), extra)) {
            PrometheusAlertsTest.alertsFireOnFaultsOnly(sluice.listener(), sluice.metricsTarget(), tmp);
            assertEquals(0, sluice.stop(Duration.ofSeconds(60)), sluice.output());
        }
    }
}

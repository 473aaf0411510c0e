package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.testing.MetricsScrape;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `make run`'s script for real: bin/run-local start brings up a Kafka broker in its own JVM and sluice
 * in another, /metrics and /healthz answer, bin/run-local stop stops both. Free ports and a temporary
 * state dir; the broker's and sluice's classpaths are this test JVM's (the jar is built after the tests).
 */
class RunLocalScriptTest {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path repoRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isExecutable(d.resolve("bin/run-local"))) return d;
        }
        throw new IllegalStateException("bin/run-local not found above " + Path.of("").toAbsolutePath());
    }

    private static Process run(Path root, Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(List.of(args)).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        return pb.start();
    }

    @Test
    void startServesMetricsAndStopStopsBoth(@TempDir Path state) throws Exception {
        Path root = repoRoot();
        String metrics = "127.0.0.1:" + freePort();
        Path config = state.resolve("sluice.yaml");
        Files.writeString(config, "listeners: [{address: '127.0.0.1:0', workers: 2, steering: random}]\n");
        String classpath = System.getProperty("java.class.path");
        Map<String, String> env = Map.of(
                "SLUICE_STATE", state.toString(),
                "SLUICE_KAFKA_PORT", String.valueOf(freePort()),
                "SLUICE_KAFKA_CONTROLLER_PORT", String.valueOf(freePort()),
                "SLUICE_METRICS", metrics,
                "SLUICE_RUN_ARGS", "--config " + config,
                "SLUICE_KAFKA_CLASSPATH", classpath,
                "SLUICE_CLASSPATH", classpath);
        try {
            Process start = run(root, env, "bin/run-local", "start");
            assertTrue(start.waitFor(90, TimeUnit.SECONDS), "start finished");
            String out = new String(start.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, start.exitValue(), out);
            assertTrue(out.contains("http://" + metrics + "/metrics"), "prints where the metrics are: " + out);
            assertTrue(out.contains("kcat"), "prints how to watch the topic: " + out);

            MetricsScrape m = MetricsScrape.get("http://" + metrics);
            assertTrue(m.has("sluice_packets_received_total"), m.text());
            assertTrue(m.has("sluice_ebpf_loaded"));
            assertEquals(200, MetricsScrape.status("http://" + metrics + "/healthz"));
            assertTrue(Files.exists(state.resolve("kafka/broker.pid")));
            assertTrue(Files.exists(state.resolve("sluice/sluice.pid")));
        } finally {
            Process stop = run(root, env, "bin/run-local", "stop");
            assertTrue(stop.waitFor(90, TimeUnit.SECONDS), "stop finished");
            String out = new String(stop.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, stop.exitValue(), out);
        }
        assertFalse(Files.exists(state.resolve("sluice/sluice.pid")));
        assertFalse(Files.exists(state.resolve("kafka/broker.pid")));
        String log = Files.readString(state.resolve("sluice/sluice.log"));
        assertTrue(log.contains("stopped in"), "sluice stopped gracefully: " + log);
    }
}

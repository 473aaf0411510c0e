package io.sluice.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.ReplayCommand;
import io.sluice.testing.Captures;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.Release;
import io.sluice.testing.SharedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release tarball as an operator uses it: unpacked anywhere, run with its bundled Java runtime only
 * (an empty PATH, no JAVA_HOME): --version, decode of a capture, and run into a real broker.
 */
@ExtendWith(SharedKafka.class)
class DistIT {
    @TempDir
    static Path tmp;
    static Path release;
    static Map<String, String> env;

    @BeforeAll
    static void unpack() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty-path"));
        release = Release.unpack(Files.createDirectories(tmp.resolve("unpacked")));
        env = Release.noJavaEnvironment(empty);
    }

    private static List<String> sluice(String... args) {
        List<String> c = new ArrayList<>();
        c.add(release.resolve("bin/sluice").toString());
        c.addAll(List.of(args));
        return c;
    }

    @Test
    void layoutHasTheRuntimeTheLibrariesAndTheirLicences() {
        for (String p : List.of("bin/sluice", "bin/jvm-flags", "lib/sluice.jar", "runtime/bin/java", "runtime/legal/java.base",
                "contrib/systemd/sluice@.service", "contrib/sluice.yaml", "docs/configuration.md", "licenses/kafka-clients-4.3.1")) {
            assertTrue(Files.exists(release.resolve(p)), p);
        }
        assertFalse(Files.exists(release.resolve("bin/find-jdk")), "the release never looks for a JDK");
    }

    @Test
    void manifestNamesVersionRevisionAndMainClass() throws Exception {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(release.resolve("lib/sluice.jar").toFile())) {
            java.util.jar.Attributes a = jar.getManifest().getMainAttributes();
            io.sluice.metrics.BuildInfo build = io.sluice.metrics.BuildInfo.current();
            assertEquals(build.version(), a.getValue("Implementation-Version"));
            assertEquals(build.revision(), a.getValue("Sluice-Revision"));
            assertEquals("io.sluice.cli.Main", a.getValue("Main-Class"));
        }
    }

    @Test
    void versionRunsOnTheBundledRuntime() throws Exception {
        Release.Result r = Release.run(sluice("--version"), env, Duration.ofMinutes(1));
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().matches("sluice \\d+\\.\\d+\\.\\d+\\S* \\(revision \\S+, Java 25[^)]*\\)\n"), r.output());
    }

    @Test
    void decodesACapture() throws Exception {
        Path capture = Captures.bench().resolve("softflowd-nfv9.pcap");
        Release.Result r = Release.run(sluice("decode", "--count", capture.toString()), env, Duration.ofMinutes(2));
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().matches("(?s)\\{\"datagrams\":\\d+,\"flows\":[1-9]\\d*,\"errors\":0}\n.*"), r.output());
    }

    @Test
    void runDeliversFlowsToKafka(KafkaBroker kafka) throws Exception {
        kafka.createTopic("dist-flows", 2);
        kafka.createTopic("dist-counters", 1);
        int port = Release.freeUdpPort();
        Path log = tmp.resolve("run.log");
        Map<String, String> runEnv = new HashMap<>(env);
        runEnv.put("SLUICE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers()); // the environment override, as a unit would set it
        Process p = Release.startLogged(sluice("run", "--config", "/dev/null", "--listeners[0].address=127.0.0.1:" + port,
                "--kafka.topic=dist-flows", "--kafka.counters-topic=dist-counters", "--kafka.drops-topic=dist-counters", "--metrics.listen=127.0.0.1:0",
                "--handover.enabled=false"), runEnv, log);
        try {
            awaitLine(log, "listening", Duration.ofSeconds(60), p);
            Path capture = Captures.bench().resolve("softflowd-nfv5.pcap");
            assertEquals(0, ReplayCommand.main(new String[] {"--to", "127.0.0.1:" + port, "--rate", "0", capture.toString()}));
            long n = kafka.awaitRecordCount("dist-flows", 1000, Duration.ofSeconds(60));
            assertTrue(n >= 1000, "flows in Kafka: " + n + "\n" + Files.readString(log));
        } finally {
            assertEquals(0, Release.stop(p, Duration.ofSeconds(60)), Files.readString(log));
        }
        for (String line : Release.lines(Files.readString(log))) {
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* (INFO|WARN|ERROR) .*"), "timestamped: " + line);
        }
    }

    @Test
    void failedStartSaysWhyInAFewTimestampedLines() throws Exception {
        int closed = Release.freeTcpPort();
        Release.Result r = Release.run(sluice("run", "--config", "/dev/null", "--listeners[0].address=127.0.0.1:0",
                "--kafka.bootstrap-servers=127.0.0.1:" + closed, "--kafka.startup-timeout=2s", "--metrics.listen=127.0.0.1:0",
                "--handover.enabled=false"), env, Duration.ofMinutes(1));
        assertEquals(2, r.code(), r.output());
        List<String> lines = Release.lines(r.output());
        assertTrue(lines.size() <= 3, "a few lines, not the Kafka client's configuration dump:\n" + r.output());
        for (String line : lines) assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* .*"), "timestamped: " + line);
        assertTrue(lines.getLast().contains("ERROR [main] RunCommand: cannot start: kafka.bootstrap-servers: no Kafka broker answered at 127.0.0.1:" + closed), r.output());
    }

    static void awaitLine(Path log, String text, Duration timeout, Process p) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            String s = Files.exists(log) ? Files.readString(log) : "";
            if (s.contains(text)) return;
            if (!p.isAlive()) throw new AssertionError("exited " + p.exitValue() + ":\n" + s);
            Thread.sleep(100);
        }
        throw new AssertionError("no '" + text + "' within " + timeout + ":\n" + Files.readString(log));
    }
}

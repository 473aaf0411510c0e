package io.sluice.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/sluice run} of this checkout (collector/target/sluice.jar and its lib/, as {@code package}
 * built them) as a child process, ready once its log says where it listens and serves its metrics:
 * for ITs that test the real binary rather than a service in the test JVM.
 */
public final class SluiceProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on /?[^ ]*:(\\d+) ");
    private static final Pattern METRICS = Pattern.compile("metrics on (http://[^ /]+)/metrics");
    /** The JVM's first start on a loaded 2-core machine, and (with templates.share) reading the topic. */
    public static final Duration START = Duration.ofSeconds(90);

    private final ChildProcess child;
    private final int port;
    private final String metricsBase;

    private SluiceProcess(ChildProcess child, int port, String metricsBase) {
        this.child = child;
        this.port = port;
        this.metricsBase = metricsBase;
    }

    /** The checkout's launcher; fails naming the build step when the jar is missing. */
    public static Path launcher() {
        Path root = Release.repoRoot();
        if (!Files.exists(root.resolve("collector/target/sluice.jar"))) {
            throw new IllegalStateException("collector/target/sluice.jar is missing: run `mvn package` first");
        }
        return root.resolve("bin/sluice");
    }

    /**
     * Starts {@code bin/sluice run --config config extra...} (one listener: its first) and waits until it
     * listens and serves /metrics. The child's heap is capped (several run at once in an IT).
     */
    public static SluiceProcess start(Path config, String... extra) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(launcher().toString(), "run", "--config", config.toString()));
        command.addAll(List.of(extra));
        ChildProcess child = ChildProcess.start(command, Map.of("SLUICE_JAVA_OPTS", "-Xmx512m"));
        try {
            Matcher l = LISTENING.matcher(child.awaitContaining("SluiceService: listening on", START));
            if (!l.find()) throw new AssertionError("no port in the listening line:\n" + child.output());
            Matcher m = METRICS.matcher(child.awaitContaining("metrics on http://", START));
            if (!m.find()) throw new AssertionError("no address in the metrics line:\n" + child.output());
            return new SluiceProcess(child, Integer.parseInt(l.group(1)), m.group(1));
        } catch (RuntimeException | Error | InterruptedException e) {
            child.close();
            throw e;
        }
    }

    /** Its (first) listener on loopback. */
    public InetSocketAddress listener() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** http://host:port of its metrics address (/metrics, /healthz, /exporters, /templates). */
    public String metricsBase() {
        return metricsBase;
    }

    /** host:port of its metrics address, as a Prometheus target. */
    public String metricsTarget() {
        return metricsBase.substring("http://".length());
    }

    public MetricsScrape scrape() throws IOException, InterruptedException {
        return MetricsScrape.get(metricsBase);
    }

    /** Polls /metrics until the sum of {@code metric} reaches {@code atLeast} or the timeout passes; the last value. */
    public long await(String metric, long atLeast, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long v;
        while ((v = scrape().sum(metric)) < atLeast && System.nanoTime() < deadline) Thread.sleep(2);
        return v;
    }

    /** SIGTERM and the exit code (the process drains and stops gracefully). */
    public int stop(Duration timeout) throws IOException, InterruptedException {
        child.signal("TERM");
        return child.awaitExit(timeout);
    }

    public long pid() {
        return child.pid();
    }

    /** What it logged so far. */
    public String output() {
        return child.output();
    }

    /** Kills it if still running (a failed test). */
    @Override
    public void close() {
        child.close();
    }
}

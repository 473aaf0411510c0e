package io.sluice.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The release as Maven's package phase built it (bin/dist, bin/deb): find it, unpack it, run its programs
 * with a chosen environment only (no JDK on PATH, no JAVA_HOME), collect what they print.
 */
public final class Release {
    private Release() {}

    /** The checkout's root (the tests run in collector/). */
    public static Path repoRoot() {
        return Path.of("").toAbsolutePath().getParent();
    }

    /** target/dist of this checkout. */
    public static Path distDir() {
        return repoRoot().resolve("target/dist");
    }

    /** The tarball; fails naming how to build it. */
    public static Path tarball() throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(distDir(), "sluice-*-linux-*.tar.gz")) {
            for (Path p : s) return p;
        } catch (java.nio.file.NoSuchFileException e) {
            // below
        }
        throw new IllegalStateException("no release tarball in " + distDir() + ": run `mvn package` (or make dist)");
    }

    /** Unpacks the tarball into {@code into}; returns the release directory (sluice-VERSION). */
    public static Path unpack(Path into) throws IOException, InterruptedException {
        Result r = run(List.of("/bin/tar", "-C", into.toString(), "-xzf", tarball().toString()), Map.of(), Duration.ofMinutes(2));
        if (r.code != 0) throw new IllegalStateException("tar: " + r.output);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(into, "sluice-*")) {
            for (Path p : s) return p;
        }
        throw new IllegalStateException("nothing unpacked from " + tarball());
    }

    public record Result(int code, String output) {}

    /** Runs a program to its end with exactly {@code env} (stdout and stderr together). */
    public static Result run(List<String> command, Map<String, String> env, Duration timeout) throws IOException, InterruptedException {
        Process p = start(command, env);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command + " did not end within " + timeout);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Starts a program with exactly {@code env}, stderr into stdout. */
    public static Process start(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Starts a long-running program whose output goes to {@code log}. */
    public static Process startLogged(List<String> command, Map<String, String> env, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        return pb.start();
    }

    /** The environment of an operator's shell without Java: an empty PATH directory, no JAVA_HOME. */
    public static Map<String, String> noJavaEnvironment(Path emptyDir) {
        return Map.of("PATH", emptyDir.toString(), "HOME", emptyDir.toString(), "LANG", "C.UTF-8");
    }

    public static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops a process with SIGTERM and returns its exit code. */
    public static int stop(Process p, Duration timeout) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("did not stop within " + timeout);
        }
        return p.exitValue();
    }

    public static List<String> lines(String text) {
        List<String> out = new ArrayList<>();
        for (String l : text.split("\n")) if (!l.isBlank()) out.add(l);
        return out;
    }
}

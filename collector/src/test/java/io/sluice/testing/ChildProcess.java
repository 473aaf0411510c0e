package io.sluice.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child process whose output lines are collected as they come, for tests that wait for a line. */
public final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuffer all = new StringBuffer();

    private ChildProcess(Process process) {
        this.process = process;
        Thread.ofPlatform().daemon().name("child-" + process.pid()).start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    all.append(line).append('\n');
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
    }

    public static ChildProcess start(List<String> command) throws IOException {
        return start(command, java.util.Map.of());
    }

    /** The same with {@code env} added to this JVM's environment. */
    public static ChildProcess start(List<String> command, java.util.Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new ChildProcess(pb.start());
    }

    /** A JVM running {@code mainClass} from the test classpath with the flags bin/sluice passes. */
    public static ChildProcess java(Class<?> mainClass, String... args) throws IOException {
        return java(List.of(), mainClass, args);
    }

    /** The same, started through {@code prefix} (e.g. setpriv with its options). */
    public static ChildProcess java(List<String> prefix, Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        return start(command);
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** The first line starting with {@code prefix}, waiting up to {@code timeout}; fails with the output so far. */
    public String awaitLine(String prefix, Duration timeout) throws InterruptedException {
        return await(prefix, timeout, false);
    }

    /** The first line containing {@code text}, waiting up to {@code timeout}; fails with the output so far. */
    public String awaitContaining(String text, Duration timeout) throws InterruptedException {
        return await(text, timeout, true);
    }

    private String await(String prefix, Duration timeout, boolean anywhere) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("no line starting with '" + prefix + "' within " + timeout + "; output:\n" + all);
            }
            if (anywhere ? line.contains(prefix) : line.startsWith(prefix)) {
                return line;
            }
        }
    }

    /** The value of {@code key=} in a line of {@code key=value} words. */
    public static String field(String line, String key) {
        for (String word : line.split(" ")) {
            if (word.startsWith(key + "=")) {
                return word.substring(key.length() + 1);
            }
        }
        throw new AssertionError("no " + key + "= in: " + line);
    }

    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("process " + pid() + " did not exit within " + timeout + "; output:\n" + all);
        }
        return process.exitValue();
    }

    /** Signal by name (TERM, KILL, STOP, CONT) through kill(1). */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -" + name + " " + pid() + " failed");
        }
    }

    public String output() {
        return all.toString();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

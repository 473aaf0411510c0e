package io.sluice.handover;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.pidfd_h;
import io.sluice.libbpf.unistd_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * What /proc says about a process, and how a predecessor is stopped without ever signalling a
 * recycled pid: a pid is only ever trusted together with its start time (field 22 of
 * /proc/&lt;pid&gt;/stat, clock ticks after boot), which a new process with the same pid cannot share.
 */
public final class ProcessInfo {
    /** How a stop request ended. */
    public enum StopResult {
        /** SIGTERM sent: it drains and exits. */
        SIGNALLED,
        /** No process with that pid and start time: it exited (or crashed) before. */
        GONE,
        /** That pid and start time is a process that is not a sluice: left alone. */
        NOT_SLUICE,
        /** It is this process: never signalled. */
        SELF
    }

    private ProcessInfo() {}

    public static long selfPid() {
        return ProcessHandle.current().pid();
    }

    /** This process's start time in clock ticks after boot. */
    public static long selfStartTicks() {
        return startTicks(selfPid()).orElseThrow(() -> new IllegalStateException("cannot read /proc/self/stat"));
    }

    /** The start time of {@code pid} in clock ticks after boot; empty if there is no such process. */
    public static OptionalLong startTicks(long pid) {
        String stat;
        try {
            stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields count from the last ')'.
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return OptionalLong.empty();
        }
        String[] f = stat.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state); start time is field 22.
        if (f.length < 20) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(f[19]));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Whether the process {@code pid} started at {@code startTicks} still runs. */
    public static boolean alive(long pid, long startTicks) {
        OptionalLong t = startTicks(pid);
        return t.isPresent() && t.getAsLong() == startTicks;
    }

    /**
     * Whether {@code pid} runs sluice: a JVM whose main class is in io.sluice (bin/sluice runs
     * io.sluice.cli.Main). The owner record already names it; this guards against a record or socket
     * that points at something else.
     */
    public static boolean isSluice(long pid) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
        } catch (IOException e) {
            return false;
        }
        for (String arg : new String(raw, StandardCharsets.UTF_8).split("\0")) {
            if (arg.startsWith("io.sluice.")) {
                return true;
            }
        }
        return false;
    }

    /** The command line of {@code pid} with spaces between arguments, for log lines ("" if gone). */
    public static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ').strip();
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Sends SIGTERM to the sluice {@code pid} started at {@code startTicks}. Race-free against pid reuse:
     * the pidfd is opened first, the start time and command line checked after, the signal sent
     * through the pidfd (if the pid was recycled before the open, the check fails; after it, the
     * pidfd still names the process that was checked).
     */
    public static StopResult terminate(long pid, long startTicks) {
        if (pid == selfPid()) {
            return StopResult.SELF;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            int pidfd = pidfd_h.pidfd_open(errno, pid, 0);
            if (pidfd < 0) {
                int e = Errno.read(errno);
                if (e == 3) { // ESRCH
                    return StopResult.GONE;
                }
                throw new HandoverException("cannot open a pidfd for " + pid + ": " + Errno.describe(e));
            }
            try {
                if (!alive(pid, startTicks)) {
                    return StopResult.GONE;
                }
                if (!isSluice(pid)) {
                    return StopResult.NOT_SLUICE;
                }
                if (pidfd_h.pidfd_send_signal(errno, pidfd, pidfd_h.SIGTERM()) != 0) {
                    int e = Errno.read(errno);
                    if (e == 3) {
                        return StopResult.GONE;
                    }
                    throw new HandoverException("cannot send SIGTERM to " + pid + ": " + Errno.describe(e)
                            + (e == 1 ? " (another user: CAP_KILL is needed)" : ""));
                }
                return StopResult.SIGNALLED;
            } finally {
                unistd_h.close(errno, pidfd);
            }
        }
    }
}

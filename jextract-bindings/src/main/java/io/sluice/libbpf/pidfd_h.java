package io.sluice.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * Process file descriptors (Linux 5.3+): signalling a process found by pid without racing pid reuse.
 * Opened first, then checked (start time, command line), then signalled through the fd: if the pid
 * was recycled in between, the fd names the new process, whose start time did not match, so nothing
 * is sent. Called through {@code syscall(2)} because glibc wraps them only from 2.36; the numbers
 * are the same on every architecture (the unified syscall table).
 */
public final class pidfd_h {
    private pidfd_h() {}

    public static long SYS_pidfd_send_signal() { return 424; }
    public static long SYS_pidfd_open() { return 434; }

    public static int SIGKILL() { return 9; }
    public static int SIGTERM() { return 15; }

    private static final class syscall3 {
        // long syscall(long number, ...): three long arguments after the number.
        static final MethodHandle HANDLE = RuntimeHelper.libc("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
                RuntimeHelper.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    }

    private static final class syscall5 {
        static final MethodHandle HANDLE = RuntimeHelper.libc("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_LONG),
                RuntimeHelper.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(1));
    }

    /** {@code int pidfd_open(pid_t pid, unsigned int flags)}: an fd (close it), or -1 + errno (ESRCH: no such process). */
    public static int pidfd_open(MemorySegment errno, long pid, int flags) {
        try {
            return (int) (long) syscall3.HANDLE.invokeExact(errno, SYS_pidfd_open(), pid, (long) flags);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    /** {@code int pidfd_send_signal(int pidfd, int sig, siginfo_t *info, unsigned int flags)}: 0, or -1 + errno (ESRCH: it has exited). */
    public static int pidfd_send_signal(MemorySegment errno, int pidfd, int signal) {
        try {
            return (int) (long) syscall5.HANDLE.invokeExact(errno, SYS_pidfd_send_signal(), (long) pidfd, (long) signal,
                    MemorySegment.NULL, 0L);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }
}

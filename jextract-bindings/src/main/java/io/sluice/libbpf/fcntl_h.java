package io.sluice.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code <fcntl.h>} and {@code <sys/file.h>}: an advisory lock on a bpffs directory (the JDK's
 * FileChannel cannot open a directory, and bpffs holds no regular files to lock instead).
 */
public final class fcntl_h {
    private fcntl_h() {}

    public static int O_RDONLY() { return 0; }
    public static int O_DIRECTORY() { return 0200000; }
    public static int O_CLOEXEC() { return 02000000; }

    public static int LOCK_EX() { return 2; }
    public static int LOCK_NB() { return 4; }
    public static int LOCK_UN() { return 8; }

    private static final class open {
        // int open(const char *pathname, int flags, ...): variadic, so the mode is passed as such.
        static final MethodHandle HANDLE = RuntimeHelper.libc("open",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
                RuntimeHelper.CAPTURE_ERRNO, Linker.Option.firstVariadicArg(2));
    }

    /** {@code int open(const char *pathname, int flags, mode_t mode)}: an fd, or -1 + errno. */
    public static int open(MemorySegment errno, MemorySegment path, int flags, int mode) {
        try {
            return (int) open.HANDLE.invokeExact(errno, path, flags, mode);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class flock {
        static final MethodHandle HANDLE = RuntimeHelper.libc("flock",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code int flock(int fd, int operation)}: 0, or -1 + errno (EWOULDBLOCK with LOCK_NB, EINTR). */
    public static int flock(MemorySegment errno, int fd, int operation) {
        try {
            return (int) flock.HANDLE.invokeExact(errno, fd, operation);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }
}

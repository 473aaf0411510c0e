package io.sluice.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code <unistd.h>} and {@code <sys/eventfd.h>}: fds the JDK does not own (a pinned map opened with
 * bpf_obj_get, the eventfd that wakes a worker's poll on stop).
 */
public final class unistd_h {
    private unistd_h() {}

    public static int EFD_NONBLOCK() { return 0x800; }
    public static int EFD_CLOEXEC() { return 0x80000; }

    private static final class close {
        static final MethodHandle HANDLE = RuntimeHelper.libc("close",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT), RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code int close(int fd)}: 0, or -1 + errno. */
    public static int close(MemorySegment errno, int fd) {
        try {
            return (int) close.HANDLE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class write {
        static final MethodHandle HANDLE = RuntimeHelper.libc("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code ssize_t write(int fd, const void *buf, size_t count)}: bytes written, or -1 + errno. */
    public static long write(MemorySegment errno, int fd, MemorySegment buffer, long count) {
        try {
            return (long) write.HANDLE.invokeExact(errno, fd, buffer, count);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class eventfd {
        static final MethodHandle HANDLE = RuntimeHelper.libc("eventfd",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code int eventfd(unsigned int initval, int flags)}: an fd, or -1 + errno. */
    public static int eventfd(MemorySegment errno, int initialValue, int flags) {
        try {
            return (int) eventfd.HANDLE.invokeExact(errno, initialValue, flags);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }
}

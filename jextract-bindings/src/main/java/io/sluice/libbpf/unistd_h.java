package io.sluice.libbpf;

import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** {@code <unistd.h>}: closing fds the JDK does not own (e.g. a pinned map opened with bpf_obj_get). */
public final class unistd_h {
    private unistd_h() {}

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
}

package io.sluice.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/** {@code <poll.h>}: waiting for a socket to become readable with a timeout. */
public final class poll_h {
    private poll_h() {}

    public static short POLLIN() { return 0x001; }
    public static short POLLERR() { return 0x008; }
    public static short POLLHUP() { return 0x010; }
    public static short POLLNVAL() { return 0x020; }

    /** {@code struct pollfd { int fd; short events; short revents; }} */
    public static final class pollfd {
        private pollfd() {}
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents")).withName("pollfd");
        public static final long fd = 0, events = 4, revents = 6;
    }

    private static final class poll {
        static final MethodHandle HANDLE = RuntimeHelper.libc("poll",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout_ms)}: ready count, 0 on timeout, or -1 + errno. */
    public static int poll(MemorySegment errno, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) poll.HANDLE.invokeExact(errno, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }
}

package io.sluice.socket;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.unistd_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * An eventfd a receive loop polls beside its socket, so another thread can end the wait at once
 * (the article's "poll() both the socket and a pipe used to signal for shutdown"). Once signalled it
 * stays readable: a loop told to stop never waits again.
 */
public final class WakeSignal implements AutoCloseable {
    private final int fd;
    private boolean closed;

    public WakeSignal() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            fd = unistd_h.eventfd(errno, 0, unistd_h.EFD_NONBLOCK() | unistd_h.EFD_CLOEXEC());
            if (fd < 0) {
                throw new IllegalStateException("eventfd failed: " + Errno.describe(Errno.read(errno)));
            }
        }
    }

    /** The fd to poll for POLLIN. */
    public int fd() {
        return fd;
    }

    /** Wakes the poller; safe from any thread, and after {@link #close()} (then it does nothing). */
    public synchronized void signal() {
        if (closed) {
            return; // the fd number may already belong to someone else
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1L);
            unistd_h.write(Errno.allocate(arena), fd, one, 8); // EAGAIN only if the counter is full: still readable
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Arena arena = Arena.ofConfined()) {
            unistd_h.close(Errno.allocate(arena), fd);
        }
    }
}

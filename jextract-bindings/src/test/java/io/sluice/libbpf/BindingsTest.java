package io.sluice.libbpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bindings against the real libc and libbpf.so.1: errno capture, layouts, libbpf's log route. */
class BindingsTest {

    @Test
    void errnoIsCapturedAndDescribed() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            int rc = socket_h.setsockopt(errno, -1, socket_h.SOL_SOCKET(), socket_h.SO_RCVBUF(), value, 4);
            assertEquals(-1, rc);
            assertEquals(errno_h.EBADF(), Errno.read(errno));
            assertEquals("EBADF (Bad file descriptor)", Errno.describe(Errno.read(errno)));
        }
        MemorySegment perThread = Errno.perThread();
        assertEquals(-1, socket_h.recvmmsg(perThread, -1, MemorySegment.NULL, 1, socket_h.MSG_DONTWAIT(), MemorySegment.NULL));
        assertEquals(errno_h.EBADF(), Errno.last());
    }

    @Test
    void structLayoutsMatchLinux64() {
        assertEquals(16, socket_h.iovec.LAYOUT.byteSize());
        assertEquals(56, socket_h.msghdr.LAYOUT.byteSize());
        assertEquals(64, socket_h.mmsghdr.LAYOUT.byteSize());
        assertEquals(8, poll_h.pollfd.LAYOUT.byteSize());
        assertEquals(socket_h.msghdr.msg_flags,
                socket_h.msghdr.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("msg_flags")));
        assertEquals(socket_h.mmsghdr.msg_len,
                socket_h.mmsghdr.LAYOUT.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("msg_len")));
    }

    @Test
    void pollTimesOutOnNothing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fds = arena.allocate(poll_h.pollfd.LAYOUT);
            fds.set(ValueLayout.JAVA_INT, poll_h.pollfd.fd, -1); // negative fds are ignored by poll
            assertEquals(0, poll_h.poll(Errno.allocate(arena), fds, 1, 1));
        }
    }

    @Test
    void libbpfMessagesReachTheSink() {
        List<String> lines = new ArrayList<>();
        LibbpfLog.install((level, message) -> {
            if (level != LibbpfLog.Level.DEBUG) lines.add(level + " " + message);
        });
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment garbage = arena.allocateFrom("\u007fELF not an object at all, just words");
            MemorySegment errno = Errno.allocate(arena);
            MemorySegment obj = libbpf_h.bpf_object__open_mem(errno, garbage, garbage.byteSize(), MemorySegment.NULL);
            assertEquals(MemorySegment.NULL, obj);
            assertTrue(Errno.read(errno) > 0, "errno set by a NULL-returning libbpf call");
        } finally {
            LibbpfLog.install(null);
        }
        assertFalse(lines.isEmpty(), "libbpf said nothing?");
        assertTrue(lines.get(0).startsWith("WARN libbpf: "), lines.toString());
        assertFalse(lines.get(0).endsWith("\n"));
    }
}

package io.sluice.steering;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.errno_h;
import io.sluice.libbpf.socket_h;
import io.sluice.socket.ReuseportSocketGroup;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Attaching an sk_reuseport program to a reuseport group and taking it off again: the two
 * setsockopt calls, in one place. A group has one program; setting it on any one socket sets it for
 * the whole group (the kernel keeps it while the group lives), which is why one fd suffices.
 */
public final class ReuseportProgram {
    private ReuseportProgram() {}

    /** SO_ATTACH_REUSEPORT_EBPF: {@code programFd} now picks (or refuses) the socket of every datagram. */
    public static void attach(ReuseportSocketGroup group, int programFd) {
        int e = setsockopt(group, socket_h.SO_ATTACH_REUSEPORT_EBPF(), programFd);
        if (e != 0) throw new BpfLoadException("cannot attach BPF program to " + group + ": " + Errno.describe(e), e);
    }

    /**
     * SO_DETACH_REUSEPORT_BPF: the kernel's hash decides again, whoever attached the program.
     *
     * @return false when no program was attached
     * @throws BpfLoadException any other refusal
     */
    public static boolean detachAny(ReuseportSocketGroup group) {
        int e = setsockopt(group, socket_h.SO_DETACH_REUSEPORT_BPF(), 0);
        if (e == 0) return true;
        if (e == errno_h.ENOENT()) return false;
        throw new BpfLoadException("cannot detach a BPF program from " + group + ": " + Errno.describe(e), e);
    }

    /** 0, or the errno of the refusal. */
    private static int setsockopt(ReuseportSocketGroup group, int option, int value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(a);
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            v.set(ValueLayout.JAVA_INT, 0, value);
            return socket_h.setsockopt(errno, group.fd(0), socket_h.SOL_SOCKET(), option, v, 4) == 0 ? 0 : Errno.read(errno);
        }
    }
}

package io.sluice.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

/**
 * {@code <sys/socket.h>} and {@code <netinet/in.h>} as sluice uses them (Linux, 64-bit): the socket
 * options the JDK does not expose, and {@code recvmmsg} for batched receive. All three functions
 * return -1 and set errno, so their bindings take an errno capture segment first ({@link Errno}).
 */
public final class socket_h {
    private socket_h() {}

    public static int SOL_SOCKET() { return 1; }
    public static int SO_REUSEADDR() { return 2; }
    public static int SO_RCVBUF() { return 8; }
    public static int SO_REUSEPORT() { return 15; }
    /** Like SO_RCVBUF but may exceed net.core.rmem_max; needs CAP_NET_ADMIN. */
    public static int SO_RCVBUFFORCE() { return 33; }
    /** Attach a BPF program (fd as int) selecting the socket of the reuseport group. */
    public static int SO_ATTACH_REUSEPORT_EBPF() { return 52; }
    public static int SO_DETACH_REUSEPORT_BPF() { return 68; }

    public static int AF_INET() { return 2; }
    public static int AF_INET6() { return 10; }

    public static int MSG_TRUNC() { return 0x20; }
    public static int MSG_DONTWAIT() { return 0x40; }
    public static int MSG_WAITFORONE() { return 0x10000; }

    /** {@code struct iovec { void *iov_base; size_t iov_len; }} */
    public static final class iovec {
        private iovec() {}
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len")).withName("iovec");
        public static final long iov_base = 0, iov_len = 8;
    }

    /** {@code struct msghdr} (x86_64 / aarch64 layout). */
    public static final class msghdr {
        private msghdr() {}
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                ADDRESS.withName("msg_name"),
                JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
                ADDRESS.withName("msg_iov"),
                JAVA_LONG.withName("msg_iovlen"),
                ADDRESS.withName("msg_control"),
                JAVA_LONG.withName("msg_controllen"),
                JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4)).withName("msghdr");
        public static final long msg_name = 0, msg_namelen = 8, msg_iov = 16, msg_iovlen = 24,
                msg_control = 32, msg_controllen = 40, msg_flags = 48;
    }

    /** {@code struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; }} */
    public static final class mmsghdr {
        private mmsghdr() {}
        public static final StructLayout LAYOUT = MemoryLayout.structLayout(
                msghdr.LAYOUT.withName("msg_hdr"), JAVA_INT.withName("msg_len"),
                MemoryLayout.paddingLayout(4)).withName("mmsghdr");
        public static final long msg_hdr = 0, msg_len = 56;
    }

    /** {@code struct sockaddr_in6}: 28 bytes; sin6_port and the address are in network byte order. */
    public static final class sockaddr_in6 {
        private sockaddr_in6() {}
        public static final long SIZE = 28;
        public static final long sin6_family = 0, sin6_port = 2, sin6_flowinfo = 4, sin6_addr = 8, sin6_scope_id = 24;
    }

    /** {@code struct sockaddr_in}: 16 bytes; sin_port and sin_addr in network byte order. */
    public static final class sockaddr_in {
        private sockaddr_in() {}
        public static final long SIZE = 16;
        public static final long sin_family = 0, sin_port = 2, sin_addr = 4;
    }

    private static final class setsockopt {
        static final MethodHandle HANDLE = RuntimeHelper.libc("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
                RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen)}: 0, or -1 + errno. */
    public static int setsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value, int length) {
        try {
            return (int) setsockopt.HANDLE.invokeExact(errno, fd, level, name, value, length);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class getsockopt {
        static final MethodHandle HANDLE = RuntimeHelper.libc("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
                RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen)}: 0, or -1 + errno. */
    public static int getsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value, MemorySegment length) {
        try {
            return (int) getsockopt.HANDLE.invokeExact(errno, fd, level, name, value, length);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class recvmmsg {
        static final MethodHandle HANDLE = RuntimeHelper.libc("recvmmsg",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
                RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code int recvmmsg(int fd, struct mmsghdr *msgvec, unsigned int vlen, int flags, struct timespec *timeout)}: count, or -1 + errno. */
    public static int recvmmsg(MemorySegment errno, int fd, MemorySegment messages, int count, int flags, MemorySegment timeout) {
        try {
            return (int) recvmmsg.HANDLE.invokeExact(errno, fd, messages, count, flags, timeout);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class connect {
        static final MethodHandle HANDLE = RuntimeHelper.libc("connect",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), RuntimeHelper.CAPTURE_ERRNO);
    }

    /**
     * {@code int connect(int fd, const struct sockaddr *addr, socklen_t len)}: 0, or -1 + errno. Used on a
     * UDP socket of a reuseport group to take it out of the kernel's hash selection while it drains;
     * unlike DatagramChannel.connect it does not discard what is already queued.
     */
    public static int connect(MemorySegment errno, int fd, MemorySegment address, int length) {
        try {
            return (int) connect.HANDLE.invokeExact(errno, fd, address, length);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }
}

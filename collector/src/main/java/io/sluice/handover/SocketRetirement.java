package io.sluice.handover;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.socket_h;
import io.sluice.socket.ReuseportSocketGroup;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Takes a draining group's sockets out of the kernel's reuseport hash without losing what they have
 * queued. On the hash (no program, or a successor without one) the kernel keeps picking a draining
 * socket for a share of the exporters until it is closed, so a drain "until EAGAIN" would race the
 * traffic and whatever arrived just before the close would be lost. The kernel's hash selection skips
 * connected sockets (reuseport_select_sock_by_hash passes over TCP_ESTABLISHED), and a connected UDP
 * socket only accepts datagrams from its peer; so each socket is connect(2)ed to its own address, a
 * peer that never sends. connect(2) keeps the receive queue (the JDK's DatagramChannel.connect would
 * discard it, hence the native call). The workers then drain what is queued and see EAGAIN.
 *
 * <p>Not done when a successor's program steers the group: it already sends nothing here, and a
 * connected socket would make the kernel rescore every lookup of the group for its remaining life.
 */
public final class SocketRetirement {
    private SocketRetirement() {}

    /**
     * Connects every socket of {@code group} to the group's own address (loopback for a wildcard bind).
     *
     * @return how many sockets were connected (the others are reported, not thrown: a failed one still drains)
     */
    public static int retire(ReuseportSocketGroup group) {
        InetSocketAddress self = group.localAddress();
        InetAddress peer = self.getAddress();
        if (peer.isAnyLocalAddress()) {
            peer = peer instanceof Inet6Address ? ipv6Loopback() : loopback4();
        }
        int connected = 0;
        StringBuilder failures = new StringBuilder();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            MemorySegment address;
            int length;
            if (peer instanceof Inet4Address) {
                address = arena.allocate(socket_h.sockaddr_in.SIZE, 4);
                address.set(ValueLayout.JAVA_SHORT, socket_h.sockaddr_in.sin_family, (short) socket_h.AF_INET());
                address.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
                        socket_h.sockaddr_in.sin_port, (short) self.getPort());
                MemorySegment.copy(peer.getAddress(), 0, address, ValueLayout.JAVA_BYTE, socket_h.sockaddr_in.sin_addr, 4);
                length = (int) socket_h.sockaddr_in.SIZE;
            } else {
                address = arena.allocate(socket_h.sockaddr_in6.SIZE, 4);
                address.set(ValueLayout.JAVA_SHORT, socket_h.sockaddr_in6.sin6_family, (short) socket_h.AF_INET6());
                address.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
                        socket_h.sockaddr_in6.sin6_port, (short) self.getPort());
                MemorySegment.copy(peer.getAddress(), 0, address, ValueLayout.JAVA_BYTE, socket_h.sockaddr_in6.sin6_addr, 16);
                if (peer instanceof Inet6Address v6 && v6.getScopeId() != 0) {
                    address.set(ValueLayout.JAVA_INT, socket_h.sockaddr_in6.sin6_scope_id, v6.getScopeId());
                }
                length = (int) socket_h.sockaddr_in6.SIZE;
            }
            for (int i = 0; i < group.size(); i++) {
                if (socket_h.connect(errno, group.fd(i), address, length) == 0) {
                    connected++;
                } else {
                    failures.append(" socket ").append(i).append(": ").append(Errno.describe(Errno.read(errno)));
                }
            }
        }
        if (connected < group.size()) {
            throw new HandoverException("could not take " + (group.size() - connected) + " sockets of " + group
                    + " out of the reuseport hash:" + failures + " (they drain until the drain limit instead)");
        }
        return connected;
    }

    private static InetAddress loopback4() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress ipv6Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}

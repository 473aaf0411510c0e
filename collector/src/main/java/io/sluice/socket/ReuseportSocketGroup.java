package io.sluice.socket;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.socket_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N UDP sockets bound to one address with SO_REUSEPORT: the kernel's reuseport group that the BPF
 * program (or, without it, the kernel's 4-tuple hash) spreads datagrams over. An IPv4 address gives
 * AF_INET sockets, an IPv6 one AF_INET6 sockets ("::" also receives IPv4, as mapped addresses).
 * Port 0 binds the first socket to an ephemeral port and the others to the same one.
 */
public final class ReuseportSocketGroup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReuseportSocketGroup.class);

    private final List<DatagramChannel> channels;
    private final int[] fds;
    private final int[] receiveBufferBytes;
    private final boolean receiveBufferForced;
    private final InetSocketAddress localAddress;
    private volatile boolean closed;

    private ReuseportSocketGroup(List<DatagramChannel> channels, int[] fds, int[] receiveBufferBytes,
            boolean forced, InetSocketAddress localAddress) {
        this.channels = channels;
        this.fds = fds;
        this.receiveBufferBytes = receiveBufferBytes;
        this.receiveBufferForced = forced;
        this.localAddress = localAddress;
    }

    /**
     * Opens and binds {@code count} sockets.
     *
     * @param receiveBufferBytes requested SO_RCVBUF per socket; 0 keeps the system default. Tried with
     *     SO_RCVBUFFORCE first (exceeds net.core.rmem_max, needs CAP_NET_ADMIN), else SO_RCVBUF (capped).
     */
    public static ReuseportSocketGroup open(InetSocketAddress address, int count, int receiveBufferBytes)
            throws IOException {
        if (count < 1) {
            throw new IllegalArgumentException("a socket group needs at least one socket, got " + count);
        }
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("unresolved listen address " + address);
        }
        ProtocolFamily family = address.getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
        List<DatagramChannel> channels = new ArrayList<>(count);
        int[] fds = new int[count];
        int[] buffers = new int[count];
        boolean forced = receiveBufferBytes > 0;
        InetSocketAddress bindTo = address;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            for (int i = 0; i < count; i++) {
                DatagramChannel channel = DatagramChannel.open(family);
                channels.add(channel);
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                fds[i] = SocketFd.of(channel);
                if (receiveBufferBytes > 0) {
                    forced &= setReceiveBuffer(channel, fds[i], receiveBufferBytes, errno, value);
                }
                channel.bind(bindTo);
                if (i == 0) {
                    bindTo = (InetSocketAddress) channel.getLocalAddress();
                }
                buffers[i] = kernelReceiveBuffer(fds[i], errno, value, arena);
            }
        } catch (IOException | RuntimeException e) {
            for (DatagramChannel c : channels) {
                try {
                    c.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            if (e instanceof IOException io) {
                throw new IOException("cannot open " + count + " reuseport sockets on " + address + ": " + io.getMessage(), io);
            }
            throw e;
        }
        // The kernel reports twice the requested size (its bookkeeping share); below that means capped.
        if (receiveBufferBytes > 0 && buffers[0] < 2L * receiveBufferBytes) {
            LOG.warn("receive buffer of {} is {} bytes, less than the {} requested: SO_RCVBUFFORCE needs CAP_NET_ADMIN, "
                    + "else raise net.core.rmem_max", bindTo, buffers[0], receiveBufferBytes);
        }
        return new ReuseportSocketGroup(Collections.unmodifiableList(channels), fds, buffers, forced, bindTo);
    }

    /** SO_RCVBUFFORCE, falling back to SO_RCVBUF; true when forced. */
    private static boolean setReceiveBuffer(DatagramChannel channel, int fd, int bytes, MemorySegment errno,
            MemorySegment value) throws IOException {
        value.set(ValueLayout.JAVA_INT, 0, bytes);
        int rc = socket_h.setsockopt(errno, fd, socket_h.SOL_SOCKET(), socket_h.SO_RCVBUFFORCE(), value, 4);
        if (rc == 0) {
            return true;
        }
        channel.setOption(StandardSocketOptions.SO_RCVBUF, bytes);
        return false;
    }

    /**
     * SO_RCVBUF straight from getsockopt: what the kernel accounts, twice what was set (the JDK's
     * getOption halves it on Linux, which hides whether SO_RCVBUFFORCE took effect).
     */
    private static int kernelReceiveBuffer(int fd, MemorySegment errno, MemorySegment value, Arena arena)
            throws IOException {
        MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
        length.set(ValueLayout.JAVA_INT, 0, 4);
        if (socket_h.getsockopt(errno, fd, socket_h.SOL_SOCKET(), socket_h.SO_RCVBUF(), value, length) != 0) {
            throw new IOException("getsockopt(SO_RCVBUF) failed: " + Errno.describe(Errno.read(errno)));
        }
        return value.get(ValueLayout.JAVA_INT, 0);
    }

    public int size() {
        return channels.size();
    }

    /** The bound address, with the port the kernel chose when 0 was asked. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    public int port() {
        return localAddress.getPort();
    }

    public DatagramChannel channel(int index) {
        return channels.get(index);
    }

    public List<DatagramChannel> channels() {
        return channels;
    }

    /** File descriptor of socket {@code index}: valid until {@link #close()}. */
    public int fd(int index) {
        return fds[index];
    }

    public int[] fds() {
        return fds.clone();
    }

    /** SO_RCVBUF of socket {@code index} as the kernel reports it (twice what was set). */
    public int effectiveReceiveBufferBytes(int index) {
        return receiveBufferBytes[index];
    }

    /** Whether SO_RCVBUFFORCE was accepted (the size was not capped by net.core.rmem_max). */
    public boolean receiveBufferForced() {
        return receiveBufferForced;
    }

    public boolean isClosed() {
        return closed;
    }

    /** Closes every socket. Stop and drain the workers first: a close drops what is queued. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (DatagramChannel c : channels) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.warn("closing a socket of {} failed: {}", localAddress, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "ReuseportSocketGroup[" + localAddress + " x" + channels.size() + "]";
    }
}

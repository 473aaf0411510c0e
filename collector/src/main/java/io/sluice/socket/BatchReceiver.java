package io.sluice.socket;

import io.sluice.decode.Datagram;
import io.sluice.libbpf.Errno;
import io.sluice.libbpf.errno_h;
import io.sluice.libbpf.poll_h;
import io.sluice.libbpf.socket_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Batched, non-blocking receive on one socket: {@code poll} to wait, then {@code recvmmsg} of up to K
 * datagrams at once into a native segment of K fixed-size slots allocated once. Each slot is exposed
 * as one ByteBuffer view made at construction, so receiving allocates nothing.
 *
 * <p>Owned by one thread (the worker); {@link #close()} frees the native memory, not the socket.
 */
public final class BatchReceiver implements AutoCloseable {
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final long NAME_BYTES = 32; // sockaddr_in6 (28) rounded up; sockaddr_in fits too

    private final int fd;
    private final int slots;
    private final int slotBytes;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment errno;
    private final MemorySegment pollFd;
    private final MemorySegment messages;
    private final MemorySegment names;
    private final MemorySegment data;
    /**
     * The slots live in a plain direct buffer rather than the arena: views of an arena segment check
     * the arena's state on every get (Buffer.session, MemorySessionImpl.checkValidStateRaw: ~15% of a
     * worker's Java samples under load), views of allocateDirect memory do not. Freed by the GC with
     * this receiver.
     */
    private final ByteBuffer dataBuffer;
    private final ByteBuffer[] views;
    private int lastErrno;

    public BatchReceiver(int fd, int slots, int slotBytes) {
        this(fd, slots, slotBytes, -1);
    }

    /**
     * @param wakeFd an fd polled beside the socket (a {@link WakeSignal}); when it becomes readable
     *     {@link #awaitReadable} returns at once. -1 for none.
     */
    public BatchReceiver(int fd, int slots, int slotBytes, int wakeFd) {
        if (slots < 1 || slotBytes < 1) {
            throw new IllegalArgumentException("slots and slot size must be positive: " + slots + " x " + slotBytes);
        }
        this.fd = fd;
        this.slots = slots;
        this.slotBytes = slotBytes;
        errno = Errno.allocate(arena);
        pollFd = arena.allocate(poll_h.pollfd.LAYOUT, 2);
        pollFd.set(ValueLayout.JAVA_INT, poll_h.pollfd.fd, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, poll_h.pollfd.events, poll_h.POLLIN());
        long wake = poll_h.pollfd.LAYOUT.byteSize();
        pollFd.set(ValueLayout.JAVA_INT, wake + poll_h.pollfd.fd, wakeFd); // a negative fd is ignored by poll
        pollFd.set(ValueLayout.JAVA_SHORT, wake + poll_h.pollfd.events, poll_h.POLLIN());
        messages = arena.allocate(socket_h.mmsghdr.LAYOUT, slots);
        MemorySegment iovecs = arena.allocate(socket_h.iovec.LAYOUT, slots);
        names = arena.allocate(NAME_BYTES * slots, 8);
        dataBuffer = ByteBuffer.allocateDirect(Math.multiplyExact(slotBytes, slots) + 64).alignedSlice(64);
        data = MemorySegment.ofBuffer(dataBuffer);
        views = new ByteBuffer[slots];
        for (int i = 0; i < slots; i++) {
            MemorySegment slot = data.asSlice((long) i * slotBytes, slotBytes);
            views[i] = dataBuffer.slice(i * slotBytes, slotBytes).order(ByteOrder.BIG_ENDIAN);
            MemorySegment iov = iovecs.asSlice(i * socket_h.iovec.LAYOUT.byteSize());
            iov.set(ValueLayout.ADDRESS, socket_h.iovec.iov_base, slot);
            iov.set(ValueLayout.JAVA_LONG, socket_h.iovec.iov_len, slotBytes);
            MemorySegment hdr = message(i);
            hdr.set(ValueLayout.ADDRESS, socket_h.msghdr.msg_name, names.asSlice(i * NAME_BYTES, NAME_BYTES));
            hdr.set(ValueLayout.ADDRESS, socket_h.msghdr.msg_iov, iov);
            hdr.set(ValueLayout.JAVA_LONG, socket_h.msghdr.msg_iovlen, 1L);
        }
    }

    private MemorySegment message(int i) {
        return messages.asSlice(i * socket_h.mmsghdr.LAYOUT.byteSize(), socket_h.mmsghdr.LAYOUT.byteSize());
    }

    private long messageOffset(int i) {
        return i * socket_h.mmsghdr.LAYOUT.byteSize();
    }

    /**
     * Waits until the socket is readable or {@code timeoutMillis} pass.
     *
     * @return true if the socket is readable (or in error: the next {@link #receive()} reports it);
     *     false on timeout, wake-up or signal
     */
    public boolean awaitReadable(int timeoutMillis) {
        int n = poll_h.poll(errno, pollFd, 2, timeoutMillis);
        if (n < 0) {
            lastErrno = Errno.read(errno);
            return false; // EINTR: the caller loops anyway
        }
        return n > 0 && pollFd.get(ValueLayout.JAVA_SHORT, poll_h.pollfd.revents) != 0;
    }

    /**
     * Receives what is queued, without waiting: up to {@link #slots()} datagrams.
     *
     * @return the count received (slots 0..n-1 are filled), 0 when nothing is queued (EAGAIN), or
     *     -errno on a receive error ({@link #lastErrno()})
     */
    public int receive() {
        for (int i = 0; i < slots; i++) {
            long base = messageOffset(i);
            messages.set(ValueLayout.JAVA_INT, base + socket_h.msghdr.msg_namelen, (int) NAME_BYTES);
            messages.set(ValueLayout.JAVA_INT, base + socket_h.msghdr.msg_flags, 0);
        }
        int n = socket_h.recvmmsg(errno, fd, messages, slots, socket_h.MSG_DONTWAIT(), MemorySegment.NULL);
        if (n >= 0) {
            return n;
        }
        int e = Errno.read(errno);
        lastErrno = e;
        if (e == errno_h.EAGAIN() || e == errno_h.EINTR()) {
            return 0;
        }
        return -e;
    }

    /** Bytes received in slot {@code i} (at most the slot size). */
    public int length(int i) {
        return messages.get(ValueLayout.JAVA_INT, messageOffset(i) + socket_h.mmsghdr.msg_len);
    }

    /** Whether the datagram in slot {@code i} was longer than the slot and cut (MSG_TRUNC). */
    public boolean truncated(int i) {
        int flags = messages.get(ValueLayout.JAVA_INT, messageOffset(i) + socket_h.msghdr.msg_flags);
        return (flags & socket_h.MSG_TRUNC()) != 0;
    }

    /**
     * Points {@code datagram} at slot {@code i}: buffer = the slot's view (valid until the next
     * {@link #receive()}), length, exporter address and port. IPv4-mapped IPv6 sources become IPv4.
     */
    public void fill(int i, Datagram datagram) {
        datagram.buffer = views[i];
        datagram.length = length(i);
        long name = i * NAME_BYTES;
        int family = names.get(ValueLayout.JAVA_SHORT, name);
        datagram.exporterPort = names.get(PORT, name + 2) & 0xffff;
        if (family == socket_h.AF_INET()) {
            MemorySegment.copy(names, ValueLayout.JAVA_BYTE, name + socket_h.sockaddr_in.sin_addr,
                    datagram.exporterAddress, 0, 4);
            datagram.exporterAddressLength = 4;
        } else if (family == socket_h.AF_INET6()) {
            long addr = name + socket_h.sockaddr_in6.sin6_addr;
            if (isV4Mapped(addr)) {
                MemorySegment.copy(names, ValueLayout.JAVA_BYTE, addr + 12, datagram.exporterAddress, 0, 4);
                datagram.exporterAddressLength = 4;
            } else {
                MemorySegment.copy(names, ValueLayout.JAVA_BYTE, addr, datagram.exporterAddress, 0, 16);
                datagram.exporterAddressLength = 16;
            }
        } else {
            datagram.exporterAddressLength = 0;
            datagram.exporterPort = 0;
        }
    }

    /** ::ffff:a.b.c.d: ten zero bytes, then 0xffff. */
    private boolean isV4Mapped(long addr) {
        return names.get(ValueLayout.JAVA_LONG_UNALIGNED, addr) == 0
                && names.get(ValueLayout.JAVA_SHORT_UNALIGNED, addr + 8) == 0
                && names.get(ValueLayout.JAVA_SHORT_UNALIGNED, addr + 10) == (short) 0xffff;
    }

    public int slots() {
        return slots;
    }

    public int slotBytes() {
        return slotBytes;
    }

    /** errno of the last failed poll or receive. */
    public int lastErrno() {
        return lastErrno;
    }

    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        arena.close();
    }
}

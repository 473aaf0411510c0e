package io.sluice.steering;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.libbpf_h;
import io.sluice.libbpf.unistd_h;
import io.sluice.socket.ReuseportSocketGroup;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The REUSEPORT_SOCKARRAY the program selects from, by its map fd: index i → socket i of a group.
 * Kept separate from the program so the map can also come from a bpffs pin (graceful restart across
 * processes: /sys/fs/bpf/sluice/&lt;listener&gt;/socket_map) without the program object.
 */
public final class SocketMap implements AutoCloseable {
    /** max_entries of socket_map in sluice_reuseport.bpf.c. */
    public static final int CAPACITY = 256;

    private final int fd;
    private final String description;
    private final boolean ownsFd;
    private boolean closed;

    SocketMap(int fd, String description) {
        this(fd, description, false);
    }

    private SocketMap(int fd, String description, boolean ownsFd) {
        this.fd = fd;
        this.description = description;
        this.ownsFd = ownsFd;
    }

    /**
     * Opens a map pinned by another (or an earlier) sluice process: the handle a new instance uses to
     * put its own sockets in, taking the traffic over from the old instance.
     */
    public static SocketMap openPinned(Path path) {
        int fd;
        try (Arena arena = Arena.ofConfined()) {
            fd = libbpf_h.bpf_obj_get(arena.allocateFrom(path.toString()));
        } catch (UnsatisfiedLinkError e) {
            throw new BpfLoadException("libbpf is not usable: " + e.getMessage(), e);
        }
        if (fd < 0) {
            throw new BpfLoadException("cannot open pinned socket map " + path + ": " + Errno.describe(-fd), -fd);
        }
        return new SocketMap(fd, "pinned socket map " + path, true);
    }

    public int fd() {
        return fd;
    }

    /**
     * Pins this map at {@code path} (parent directories are created; they must be on a bpffs). The pin
     * keeps the map alive after this process exits, until {@link #unpin} or a reboot.
     */
    public void pin(Path path) {
        try {
            Files.createDirectories(path.getParent());
        } catch (IOException e) {
            throw new BpfLoadException("cannot create " + path.getParent() + " for the socket map pin: " + e, e);
        }
        try (Arena arena = Arena.ofConfined()) {
            int rc = libbpf_h.bpf_obj_pin(fd, arena.allocateFrom(path.toString()));
            if (rc < 0) {
                throw new BpfLoadException("cannot pin " + description + " at " + path + ": " + Errno.describe(-rc), -rc);
            }
        }
    }

    /** Removes a pin (the map lives on while a program or fd still holds it). */
    public static void unpin(Path path) throws IOException {
        Files.deleteIfExists(path);
    }

    /** Rejects groups the map cannot hold, before touching the kernel. */
    static void checkFits(int sockets) {
        if (sockets < 1) {
            throw new IllegalArgumentException("a socket group needs at least one socket, got " + sockets);
        }
        if (sockets > CAPACITY) {
            throw new IllegalArgumentException(sockets + " sockets do not fit the BPF socket map, which holds "
                    + CAPACITY + ": use at most " + CAPACITY + " workers per listener");
        }
    }

    /**
     * Puts socket i of {@code group} at index i, for every i; each update replaces the old socket
     * atomically, so a packet is steered either to the old or to the new one. The group must have as
     * many sockets as the program's num_sockets (BpfSteering checks this; a pinned map cannot know).
     */
    public void putAll(ReuseportSocketGroup group) {
        checkFits(group.size());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            for (int i = 0; i < group.size(); i++) {
                key.set(ValueLayout.JAVA_INT, 0, i);
                value.set(ValueLayout.JAVA_LONG, 0, group.fd(i));
                int rc = libbpf_h.bpf_map_update_elem(fd, key, value, libbpf_h.BPF_ANY());
                if (rc < 0) {
                    throw new BpfLoadException("cannot put socket " + i + " of " + group + " into " + description
                            + ": " + Errno.describe(-rc), -rc);
                }
            }
        }
    }

    /**
     * Puts socket {@code socket} of {@code group} into slot {@code slot}, atomically: the program reading
     * this map steers that slot's share to the new socket from the next datagram on. The slot may be
     * beyond the group's size (a predecessor with more sockets: {@link io.sluice.handover.TrafficRamp}).
     */
    public void put(int slot, ReuseportSocketGroup group, int socket) {
        checkFits(slot + 1);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            key.set(ValueLayout.JAVA_INT, 0, slot);
            value.set(ValueLayout.JAVA_LONG, 0, group.fd(socket));
            int rc = libbpf_h.bpf_map_update_elem(fd, key, value, libbpf_h.BPF_ANY());
            if (rc < 0) {
                throw new BpfLoadException("cannot put socket " + socket + " of " + group + " into slot " + slot + " of "
                        + description + ": " + Errno.describe(-rc), -rc);
            }
        }
    }

    /** The kernel's socket cookie at {@code index}, or -1 if the slot is empty. */
    public long cookie(int index) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            key.set(ValueLayout.JAVA_INT, 0, index);
            int rc = libbpf_h.bpf_map_lookup_elem(fd, key, value);
            return rc < 0 ? -1 : value.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Closes the fd if this handle opened it (a pin); the program object's own map closes with it. */
    @Override
    public synchronized void close() {
        if (closed || !ownsFd) {
            return;
        }
        closed = true;
        try (Arena arena = Arena.ofConfined()) {
            unistd_h.close(Errno.allocate(arena), fd);
        }
    }

    @Override
    public String toString() {
        return description;
    }
}

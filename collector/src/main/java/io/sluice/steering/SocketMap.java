package io.sluice.steering;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.libbpf_h;
import io.sluice.socket.ReuseportSocketGroup;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The REUSEPORT_SOCKARRAY the program selects from, by its map fd: index i → socket i of a group.
 * Kept separate from the program so the map can also come from a bpffs pin (graceful restart across
 * processes, /sys/fs/bpf/sluice/&lt;listener&gt;/) without the program object.
 */
public final class SocketMap {
    /** max_entries of socket_map in sluice_reuseport.bpf.c. */
    public static final int CAPACITY = 256;

    private final int fd;
    private final String description;

    SocketMap(int fd, String description) {
        this.fd = fd;
        this.description = description;
    }

    public int fd() {
        return fd;
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
     * atomically, so a packet is steered either to the old or to the new one.
     */
    void putAll(ReuseportSocketGroup group) {
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

    @Override
    public String toString() {
        return description;
    }
}

package io.sluice.socket;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The kernel's per-socket drop counter (datagrams discarded because the receive buffer was full, the
 * {@code drops} column of /proc/net/udp and /proc/net/udp6), for each socket of a group, matched by
 * the socket's inode. Read at scrape time: the service exports it as {@code sluice_socket_drops_total}.
 */
public final class SocketDrops {
    private static final Path UDP = Path.of("/proc/self/net/udp");
    private static final Path UDP6 = Path.of("/proc/self/net/udp6");
    private static final int INODE_COLUMN = 9;
    private static final int DROPS_COLUMN = 12;

    private final long[] inodes;

    private SocketDrops(long[] inodes) {
        this.inodes = inodes;
    }

    /** Resolves the inodes of {@code group}'s sockets now (while their fds are open). */
    public static SocketDrops of(ReuseportSocketGroup group) throws IOException {
        long[] inodes = new long[group.size()];
        for (int i = 0; i < inodes.length; i++) {
            inodes[i] = inodeOf(group.fd(i));
        }
        return new SocketDrops(inodes);
    }

    /** The inode of socket fd: /proc/self/fd/N links to "socket:[inode]". */
    public static long inodeOf(int fd) throws IOException {
        String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        if (!target.startsWith("socket:[") || !target.endsWith("]")) {
            throw new IOException("fd " + fd + " is not a socket: " + target);
        }
        return Long.parseLong(target, 8, target.length() - 1, 10);
    }

    public int size() {
        return inodes.length;
    }

    /**
     * Drops of each socket, in group order; -1 for a socket no longer listed (closed).
     * Parses both tables once per call.
     */
    public long[] read() throws IOException {
        Map<Long, Long> byInode = new HashMap<>();
        parse(UDP, byInode);
        parse(UDP6, byInode);
        long[] drops = new long[inodes.length];
        for (int i = 0; i < inodes.length; i++) {
            drops[i] = byInode.getOrDefault(inodes[i], -1L);
        }
        return drops;
    }

    /** Sum over the sockets still open. */
    public long total() throws IOException {
        long sum = 0;
        for (long d : read()) {
            if (d > 0) sum += d;
        }
        return sum;
    }

    private static void parse(Path table, Map<Long, Long> into) throws IOException {
        if (!Files.exists(table)) {
            return; // no IPv6 in this kernel
        }
        try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
            in.readLine(); // header
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f.length > DROPS_COLUMN) {
                    into.put(Long.parseLong(f[INODE_COLUMN]), Long.parseLong(f[DROPS_COLUMN]));
                }
            }
        }
    }
}

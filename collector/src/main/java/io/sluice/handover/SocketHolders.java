package io.sluice.handover;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.socket.SocketDrops;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeMap;
import java.util.Map;

/**
 * The other processes holding UDP sockets bound exactly like a group's (same local address and
 * port: by SO_REUSEPORT's rules, members of the same reuseport group). How a starting sluice finds
 * a predecessor that left no owner record: one that ran without bpffs, without the privilege to pin,
 * or with handover pins in another directory. The same walk ss -p does: the socket inodes from
 * /proc/net/udp{,6}, then /proc/&lt;pid&gt;/fd links naming them.
 */
public final class SocketHolders {
    private static final Path[] TABLES = {Path.of("/proc/self/net/udp"), Path.of("/proc/self/net/udp6")};
    private static final int LOCAL_ADDRESS_COLUMN = 1;
    private static final int INODE_COLUMN = 9;

    private SocketHolders() {}

    /** pid → start ticks of every other process with a socket bound like {@code group}'s, in pid order. */
    public static Map<Long, Long> of(ReuseportSocketGroup group) throws IOException {
        long own = SocketDrops.inodeOf(group.fd(0));
        Set<Long> ownInodes = new HashSet<>();
        for (int i = 0; i < group.size(); i++) {
            ownInodes.add(SocketDrops.inodeOf(group.fd(i)));
        }
        Set<Long> inodes = new HashSet<>();
        for (Path table : TABLES) {
            if (!Files.exists(table)) {
                continue;
            }
            String localAddress = null;
            Map<Long, String> byInode = new TreeMap<>();
            try (BufferedReader in = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
                in.readLine();
                String line;
                while ((line = in.readLine()) != null) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length <= INODE_COLUMN) {
                        continue;
                    }
                    long inode = Long.parseLong(f[INODE_COLUMN]);
                    byInode.put(inode, f[LOCAL_ADDRESS_COLUMN]);
                    if (inode == own) {
                        localAddress = f[LOCAL_ADDRESS_COLUMN];
                    }
                }
            }
            if (localAddress == null) {
                continue; // our sockets are in the other table (IPv4 vs IPv6)
            }
            for (Map.Entry<Long, String> e : byInode.entrySet()) {
                if (e.getValue().equals(localAddress) && !ownInodes.contains(e.getKey()) && e.getKey() != 0) {
                    inodes.add(e.getKey());
                }
            }
        }
        Map<Long, Long> holders = new TreeMap<>();
        if (inodes.isEmpty()) {
            return holders;
        }
        long self = ProcessInfo.selfPid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isNumber(p.getFileName().toString()))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid == self || !holdsAny(proc.resolve("fd"), inodes)) {
                    continue;
                }
                ProcessInfo.startTicks(pid).ifPresent(t -> holders.put(pid, t));
            }
        }
        return holders;
    }

    private static boolean holdsAny(Path fdDir, Set<Long> inodes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    continue;
                }
                if (target.startsWith("socket:[") && target.endsWith("]")
                        && inodes.contains(Long.parseLong(target, 8, target.length() - 1, 10))) {
                    return true;
                }
            }
        } catch (IOException | SecurityException unreadable) {
            // another user's process without CAP_SYS_PTRACE, or it exited: not ours to stop
        }
        return false;
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }
}

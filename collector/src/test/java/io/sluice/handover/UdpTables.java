package io.sluice.handover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Per-port sums over /proc/net/udp{,6}: what the kernel holds queued and has dropped for a local port. */
final class UdpTables {
    private UdpTables() {}

    static long drops(int port) throws IOException {
        return sum(port, 12);
    }

    /** rx_queue: bytes (the kernel's accounting) waiting to be read. */
    static long queuedDatagramsBytes(int port) throws IOException {
        long total = 0;
        for (String[] f : lines(port)) {
            total += Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
        }
        return total;
    }

    private static long sum(int port, int column) throws IOException {
        long total = 0;
        for (String[] f : lines(port)) {
            total += Long.parseLong(f[column]);
        }
        return total;
    }

    private static List<String[]> lines(int port) throws IOException {
        String hexPort = String.format(":%04X", port);
        List<String[]> out = new java.util.ArrayList<>();
        for (String table : new String[] {"/proc/net/udp", "/proc/net/udp6"}) {
            Path p = Path.of(table);
            if (!Files.exists(p)) continue;
            for (String line : Files.readAllLines(p)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 12 && f[1].endsWith(hexPort)) out.add(f);
            }
        }
        return out;
    }
}

package io.sluice.capture;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Puts fragmented IPv4/IPv6 datagrams back together, as the exporter's kernel would have before a collector's
 * socket saw them. Bounded three ways, each overflow counted in {@link CaptureStats}: at most
 * {@link #MAX_DATAGRAMS} datagrams in reassembly and {@link #MAX_BYTES} buffered (the oldest is dropped),
 * and a datagram whose fragments do not all come within {@link #MAX_AGE_NS} of capture time (Linux's
 * ipfrag_time default, 30 s) is dropped. Overlapping fragments drop the datagram (RFC 5722 for IPv6; for
 * IPv4 too: no exporter overlaps fragments, an attacker or corruption does).
 */
final class FragmentReassembler {
    static final int MAX_DATAGRAMS = 1024;
    static final long MAX_BYTES = 16L << 20;
    static final long MAX_AGE_NS = 30_000_000_000L;
    /** The largest IP payload an IPv4 or (non-jumbo) IPv6 datagram can carry. */
    static final int MAX_PAYLOAD = 65_535;

    /** One datagram under reassembly: its bytes so far and which 8-byte units have arrived. */
    static final class Partial {
        byte[] data = new byte[0];
        /** Fragment offsets are in 8-byte units: 65535 bytes need 8192 bits. */
        final long[] have = new long[128];
        int received;
        int total = -1;
        /** IPv6: the protocol after the fragment header of the first fragment; IPv4: the protocol. */
        int nextHeader = -1;
        byte[] sourceAddress;
        long firstSeenNs;
    }

    private final CaptureStats stats;
    private final LinkedHashMap<FragmentKey, Partial> partials = new LinkedHashMap<>();
    private long bufferedBytes;
    private long latestNs;

    FragmentReassembler(CaptureStats stats) {
        this.stats = stats;
    }

    /** Datagrams whose fragments are still incomplete. */
    int pending() {
        return partials.size();
    }

    /**
     * Adds one fragment's payload (the bytes after the IPv4 header or after the IPv6 fragment header);
     * returns the whole datagram when this fragment completes it (its bytes are data[0, total)), else null.
     */
    Partial add(FragmentKey key, byte[] src, int off, int len, int fragmentOffset, boolean more, int nextHeader,
                byte[] sourceAddress, long timestampNs) {
        stats.fragments++;
        if (timestampNs > latestNs) latestNs = timestampNs;
        expire();
        Partial p = partials.get(key);
        if (p == null) {
            if (partials.size() >= MAX_DATAGRAMS) evictOldest();
            p = new Partial();
            p.firstSeenNs = timestampNs;
            p.sourceAddress = sourceAddress;
            partials.put(key, p);
        }
        int end = fragmentOffset + len;
        boolean invalid = end > MAX_PAYLOAD
                || (more && len % 8 != 0) // every fragment but the last carries a multiple of 8 bytes
                || (more && len == 0)
                || (p.total >= 0 && (end > p.total || (!more && end != p.total)))
                || (!more && end < highestReceived(p));
        if (!invalid && overlaps(p, fragmentOffset, end)) invalid = true;
        if (invalid) {
            drop(key, p);
            stats.fragmentsInvalid++;
            return null;
        }
        if (p.data.length < end) {
            int grown = Math.min(MAX_PAYLOAD, Math.max(end, p.data.length * 2));
            long growth = grown - p.data.length;
            while (bufferedBytes + growth > MAX_BYTES && partials.size() > 1) evictOldestExcept(key);
            if (bufferedBytes + growth > MAX_BYTES) {
                drop(key, p);
                stats.fragmentsEvicted++;
                return null;
            }
            p.data = Arrays.copyOf(p.data, grown);
            bufferedBytes += growth;
        }
        System.arraycopy(src, off, p.data, fragmentOffset, len);
        mark(p, fragmentOffset, end);
        p.received += len;
        if (fragmentOffset == 0) p.nextHeader = nextHeader;
        if (!more) p.total = end;
        if (p.total >= 0 && p.received == p.total) {
            drop(key, p);
            stats.reassembled++;
            return p;
        }
        return null;
    }

    private static int highestReceived(Partial p) {
        for (int w = p.have.length - 1; w >= 0; w--) {
            if (p.have[w] != 0) return (w * 64 + 63 - Long.numberOfLeadingZeros(p.have[w]) + 1) * 8;
        }
        return 0;
    }

    private static boolean overlaps(Partial p, int from, int to) {
        for (int u = from / 8; u < (to + 7) / 8; u++) {
            if ((p.have[u >>> 6] & (1L << (u & 63))) != 0) return true;
        }
        return false;
    }

    private static void mark(Partial p, int from, int to) {
        for (int u = from / 8; u < (to + 7) / 8; u++) p.have[u >>> 6] |= 1L << (u & 63);
    }

    private void expire() {
        if (latestNs == 0) return; // no timestamps in this capture (pcapng simple packets): count bound only
        for (Iterator<Partial> it = partials.values().iterator(); it.hasNext(); ) {
            Partial p = it.next();
            if (latestNs - p.firstSeenNs <= MAX_AGE_NS) break; // insertion order is arrival order
            it.remove();
            bufferedBytes -= p.data.length;
            stats.fragmentsTimedOut++;
        }
    }

    private void evictOldest() {
        Iterator<Partial> it = partials.values().iterator();
        Partial p = it.next();
        it.remove();
        bufferedBytes -= p.data.length;
        stats.fragmentsEvicted++;
    }

    private void evictOldestExcept(FragmentKey keep) {
        for (var it = partials.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equals(keep)) continue;
            it.remove();
            bufferedBytes -= e.getValue().data.length;
            stats.fragmentsEvicted++;
            return;
        }
    }

    private void drop(FragmentKey key, Partial p) {
        partials.remove(key);
        bufferedBytes -= p.data.length;
    }
}

package io.sluice.guard;

import io.sluice.decode.Datagram;
import io.sluice.worker.DatagramHandler;
import io.sluice.steering.GuardRules;
import java.util.Set;

/**
 * The allow-list checked in the worker when the kernel cannot run the guard and the listener says
 * {@code guard-fallback: user-space} (docs/security.md). Worse than the kernel's: a refused datagram
 * has already taken socket buffer space and a receive call, which a spoofed flood turns into lost
 * allowed datagrams. Wraps the worker's handler; refused datagrams are counted, never decoded.
 *
 * <p>The prefixes are two longs of mask and two of value per prefix (IPv4 as ::ffff:a.b.c.d), so the
 * check allocates nothing; a reload swaps the whole table through a volatile field.
 */
public final class UserSpaceAllowList implements DatagramHandler {
    /** One table for all workers of a listener: reloads replace it. */
    public static final class Table {
        /** [maskHi, maskLo, valueHi, valueLo] per prefix; null: everyone (the list was removed by a reload). */
        private volatile long[] prefixes = new long[0];

        /** The prefixes a source must be in; null = everyone. */
        public void set(Set<GuardRules.Prefix> allow) {
            if (allow == null) {
                prefixes = null;
                return;
            }
            long[] next = new long[allow.size() * 4];
            int i = 0;
            for (GuardRules.Prefix p : allow) {
                byte[] bytes = mapped(p.address().getAddress(), p.address().getAddress().length);
                int bits = p.address().getAddress().length == 4 ? 96 + p.length() : p.length();
                long maskHi = bits >= 64 ? -1L : bits == 0 ? 0 : -1L << (64 - bits);
                long maskLo = bits <= 64 ? 0 : bits == 128 ? -1L : -1L << (128 - bits);
                next[i++] = maskHi;
                next[i++] = maskLo;
                next[i++] = hi(bytes) & maskHi;
                next[i++] = lo(bytes) & maskLo;
            }
            prefixes = next;
        }

        boolean allows(long hi, long lo) {
            long[] p = prefixes;
            if (p == null) return true;
            for (int i = 0; i < p.length; i += 4) {
                if ((hi & p[i]) == p[i + 2] && (lo & p[i + 1]) == p[i + 3]) return true;
            }
            return false;
        }
    }

    private final DatagramHandler delegate;
    private final Table table;
    private final byte[] scratch = new byte[16];
    /** Written by the worker thread only, read at scrape time (Aeron style). */
    private volatile long refused;

    public UserSpaceAllowList(DatagramHandler delegate, Table table) {
        this.delegate = delegate;
        this.table = table;
    }

    @Override
    public void onDatagram(Datagram d) {
        byte[] a = d.exporterAddressLength == 4 ? mappedInto(d.exporterAddress, scratch) : d.exporterAddress;
        if (!table.allows(hi(a), lo(a))) {
            refused = refused + 1; // single writer
            return;
        }
        delegate.onDatagram(d);
    }

    @Override
    public void onIdle(long nowNanos) {
        delegate.onIdle(nowNanos);
    }

    @Override
    public void onStop() {
        delegate.onStop();
    }

    /** Datagrams refused by this worker. */
    public long refused() {
        return refused;
    }

    private static byte[] mapped(byte[] address, int length) {
        return length == 4 ? mappedInto(address, new byte[16]) : address;
    }

    private static byte[] mappedInto(byte[] v4, byte[] out) {
        java.util.Arrays.fill(out, 0, 10, (byte) 0);
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(v4, 0, out, 12, 4);
        return out;
    }

    private static long hi(byte[] b) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = v << 8 | (b[i] & 0xff);
        return v;
    }

    private static long lo(byte[] b) {
        long v = 0;
        for (int i = 8; i < 16; i++) v = v << 8 | (b[i] & 0xff);
        return v;
    }
}

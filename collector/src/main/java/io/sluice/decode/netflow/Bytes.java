package io.sluice.decode.netflow;

import java.nio.ByteBuffer;

/** Unsigned big-endian reads with absolute indexing (the caller has checked the bounds). */
final class Bytes {
    private Bytes() {}

    static int u8(ByteBuffer b, int p) {
        return b.get(p) & 0xFF;
    }

    static int u16(ByteBuffer b, int p) {
        return b.getShort(p) & 0xFFFF;
    }

    static long u32(ByteBuffer b, int p) {
        return b.getInt(p) & 0xFFFF_FFFFL;
    }

    /**
     * An unsigned integer of {@code len} bytes (reduced-size encoding, RFC 7011 section 6.2); longer
     * fields keep their last 8 bytes. 0 for an empty field.
     */
    static long uint(ByteBuffer b, int p, int len) {
        switch (len) {
            case 1: return b.get(p) & 0xFFL;
            case 2: return b.getShort(p) & 0xFFFFL;
            case 4: return b.getInt(p) & 0xFFFF_FFFFL;
            case 8: return b.getLong(p);
            default:
                long v = 0;
                int start = len > 8 ? p + len - 8 : p;
                for (int i = start; i < p + len; i++) v = (v << 8) | (b.get(i) & 0xFFL);
                return v;
        }
    }

    /** Whether {@code len} bytes at {@code p} are all zero. */
    static boolean allZero(ByteBuffer b, int p, int len) {
        for (int i = p; i < p + len; i++) if (b.get(i) != 0) return false;
        return true;
    }
}

package io.sluice.testing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.IntPredicate;

/** Splits real IPFIX messages by set: e.g. an exporter's template sets to one node, its data sets to another. */
public final class IpfixSets {
    private IpfixSets() {}

    /** The IPFIX message's sets whose ids {@code keep} accepts, behind its header (null when none). */
    public static byte[] only(byte[] msg, IntPredicate keep) {
        ByteBuffer in = ByteBuffer.wrap(msg);
        int end = Math.min(msg.length, in.getShort(2) & 0xffff);
        ByteBuffer out = ByteBuffer.allocate(msg.length);
        out.put(msg, 0, 16);
        int p = 16;
        while (p + 4 <= end) {
            int id = in.getShort(p) & 0xffff, len = in.getShort(p + 2) & 0xffff;
            if (len < 4 || p + len > end) break;
            if (keep.test(id)) out.put(msg, p, len);
            p += len;
        }
        if (out.position() == 16) return null;
        out.putShort(2, (short) out.position());
        return Arrays.copyOf(out.array(), out.position());
    }

    /** Template and options template sets (ids 2 and 3). */
    public static boolean template(int setId) {
        return setId == 2 || setId == 3;
    }

    /** Data and options data sets (ids 256 and up). */
    public static boolean data(int setId) {
        return setId >= 256;
    }
}

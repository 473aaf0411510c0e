package io.sluice.decode.sflow;

import io.sluice.flow.FlowRecord;
import java.nio.ByteBuffer;

/**
 * sFlow is XDR: big-endian 32-bit words, opaque data padded to 4 bytes (records carry their padded
 * length, so skipping a record by its length skips its padding). Absolute reads only.
 */
final class Xdr {
    private Xdr() {}

    static long u32(ByteBuffer b, int p) {
        return b.getInt(p) & 0xFFFFFFFFL;
    }

    static long u64(ByteBuffer b, int p) {
        return b.getLong(p);
    }

    /**
     * Reads an sFlow {@code address} (type word, then 4 or 16 bytes) at {@code p} into {@code into};
     * returns the offset after it, or -1 if the type is unknown or it does not fit before {@code end}.
     * Type 0 (unknown) is a valid empty address.
     */
    static int address(ByteBuffer b, int p, int end, FlowRecord.Address into) {
        if (end - p < 4) return -1;
        int type = b.getInt(p);
        int length = switch (type) {
            case 0 -> 0;
            case 1 -> 4;
            case 2 -> 16;
            default -> -1;
        };
        if (length < 0 || end - p - 4 < length) return -1;
        if (length == 0) into.clear();
        else into.set(b, p + 4, length);
        return p + 4 + length;
    }
}

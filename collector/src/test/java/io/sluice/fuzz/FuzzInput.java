package io.sluice.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * How one fuzz input holds several datagrams (a template then its data, for the stateful decoders):
 * {@code [u16 big-endian length][bytes]} repeated; a length past the end takes what is left.
 */
final class FuzzInput {
    /** Most datagrams taken from one input (each decode is a full pass; more adds little). */
    static final int MAX_DATAGRAMS = 32;

    private FuzzInput() {}

    static List<ByteBuffer> datagrams(byte[] input) {
        List<ByteBuffer> out = new ArrayList<>();
        int pos = 0;
        while (pos + 2 <= input.length && out.size() < MAX_DATAGRAMS) {
            int len = ((input[pos] & 0xff) << 8) | (input[pos + 1] & 0xff);
            pos += 2;
            int n = Math.min(len, input.length - pos);
            out.add(ByteBuffer.wrap(input, pos, n).slice());
            pos += n;
        }
        return out;
    }

    static byte[] frame(List<byte[]> datagrams) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] d : datagrams) {
            int len = Math.min(d.length, 0xffff);
            out.write(len >>> 8);
            out.write(len);
            out.write(d, 0, len);
        }
        return out.toByteArray();
    }
}

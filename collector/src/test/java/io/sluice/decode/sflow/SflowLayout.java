package io.sluice.decode.sflow;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the counts and lengths sit in a well-formed sFlow datagram, found independently of the
 * decoder (a plain walk of the XDR layout), so tests can corrupt exactly those words.
 */
record SflowLayout(int sampleCountOffset, List<Sample> samples) {
    /** One sample: offset of its data_format word, its body's bounds, and the count/length words inside. */
    record Sample(int formatOffset, int bodyStart, int bodyEnd, int format, int recordCountOffset,
                  List<Integer> recordLengthOffsets, List<Integer> headerLengthOffsets) {
        int lengthOffset() {
            return formatOffset + 4;
        }
    }

    static SflowLayout of(byte[] datagram) {
        ByteBuffer b = ByteBuffer.wrap(datagram);
        int agentLength = b.getInt(4) == 2 ? 16 : 4;
        int countOffset = 8 + agentLength + 12;
        int samples = b.getInt(countOffset);
        int p = countOffset + 4;
        List<Sample> out = new ArrayList<>();
        for (int s = 0; s < samples && p + 8 <= datagram.length; s++) {
            int format = b.getInt(p);
            int length = b.getInt(p + 4);
            int body = p + 8;
            int end = body + length;
            if (length < 0 || end > datagram.length) break;
            int recordCountOffset = switch (format) {
                case 1 -> body + 28;
                case 3 -> body + 40;
                case 2 -> body + 8;
                case 4 -> body + 12;
                default -> -1;
            };
            List<Integer> recordLengths = new ArrayList<>();
            List<Integer> headerLengths = new ArrayList<>();
            if (recordCountOffset > 0) {
                int q = recordCountOffset + 4;
                int records = b.getInt(recordCountOffset);
                for (int r = 0; r < records && q + 8 <= end; r++) {
                    int recordFormat = b.getInt(q);
                    int recordLength = b.getInt(q + 4);
                    recordLengths.add(q + 4);
                    if ((format == 1 || format == 3) && recordFormat == 1) headerLengths.add(q + 8 + 12);
                    q += 8 + recordLength;
                }
            }
            out.add(new Sample(p, body, end, format, recordCountOffset, recordLengths, headerLengths));
            p = end;
        }
        return new SflowLayout(countOffset, out);
    }

    /** Every count or length word of the datagram. */
    List<Integer> countAndLengthOffsets() {
        List<Integer> out = new ArrayList<>();
        out.add(sampleCountOffset);
        for (Sample s : samples) {
            out.add(s.lengthOffset());
            if (s.recordCountOffset() > 0) out.add(s.recordCountOffset());
            out.addAll(s.recordLengthOffsets());
            out.addAll(s.headerLengthOffsets());
        }
        return out;
    }
}

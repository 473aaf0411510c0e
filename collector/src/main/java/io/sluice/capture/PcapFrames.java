package io.sluice.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Classic pcap (draft-ietf-opsawg-pcap): a 24-byte file header whose magic gives the byte order and the
 * timestamp unit (µs 0xA1B2C3D4, ns 0xA1B23C4D), then records of a 16-byte header and the captured bytes.
 */
final class PcapFrames implements FrameSource {
    static final int MAGIC_MICROS = 0xa1b2c3d4;
    static final int MAGIC_NANOS = 0xa1b23c4d;
    /**
     * libpcap's MAXIMUM_SNAPLEN: no capture tool writes a longer record, so a longer length field means a
     * corrupt file (and is refused before anything is allocated for it).
     */
    static final int MAX_RECORD = 262_144;

    private final CaptureInput in;
    private final ByteBuffer header;
    private final boolean nanos;
    private final int linkType;

    PcapFrames(CaptureInput in) throws IOException {
        this.in = in;
        byte[] h = new byte[24];
        if (!in.readFully(h, 0, 24, "the pcap file header")) {
            throw new CaptureFormatException(in.source(), 0, "empty input");
        }
        ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.BIG_ENDIAN);
        int magic = b.getInt(0);
        if (magic != MAGIC_MICROS && magic != MAGIC_NANOS) b.order(ByteOrder.LITTLE_ENDIAN);
        nanos = b.getInt(0) == MAGIC_NANOS;
        // The link type is the low 16 bits; the upper ones may carry FCS information (draft section 4).
        linkType = b.getInt(20) & 0xffff;
        header = ByteBuffer.allocate(16).order(b.order());
    }

    @Override
    public boolean next(CapturedFrame frame) throws IOException {
        long offset = in.offset();
        if (!in.readFully(header.array(), 0, 16, "a pcap record header")) return false;
        long sec = header.getInt(0) & 0xffffffffL;
        long frac = header.getInt(4) & 0xffffffffL;
        long inclLen = header.getInt(8) & 0xffffffffL;
        if (inclLen > MAX_RECORD) {
            throw new CaptureFormatException(in.source(), offset, "pcap record length " + inclLen
                    + " is more than any capture tool writes (" + MAX_RECORD + "): corrupt capture");
        }
        int len = (int) inclLen;
        in.readFully(frame.ensureCapacity(len), 0, len, "a pcap record");
        frame.length = len;
        frame.linkType = linkType;
        frame.timestampNanos = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
        frame.offset = offset;
        return true;
    }
}

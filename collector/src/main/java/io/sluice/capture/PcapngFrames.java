package io.sluice.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * pcapng (draft-ietf-opsawg-pcapng): blocks of {@code [type][total length][body][total length]}. A section
 * header block (SHB) starts each section and sets its byte order; interface description blocks (IDB) give
 * each interface its link type and timestamp unit; enhanced (EPB), simple (SPB) and the obsolete packet
 * block (type 2) carry frames; every other block (statistics, name resolution, decryption secrets, custom,
 * unknown) is skipped by its length without being read into memory, whatever its size.
 */
final class PcapngFrames implements FrameSource {
    static final int SECTION_HEADER = 0x0A0D0D0A;
    static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int INTERFACE_DESCRIPTION = 1;
    private static final int OBSOLETE_PACKET = 2;
    private static final int SIMPLE_PACKET = 3;
    private static final int ENHANCED_PACKET = 6;
    /**
     * Largest block read into memory (libpcap's MAX_BLOCKSIZE is 16 MiB): a packet block or IDB longer than
     * that is refused before anything is allocated for it. Skipped blocks may be of any length.
     */
    static final int MAX_READ_BLOCK = 16 << 20;

    /** One interface of the current section. */
    private record Interface(int linkType, int snapLen, long unitsPerSecond, long offsetSeconds) {}

    private final CaptureInput in;
    private final List<Interface> interfaces = new ArrayList<>();
    private final ByteBuffer head = ByteBuffer.allocate(12);
    private ByteOrder order = ByteOrder.BIG_ENDIAN;
    private byte[] block = new byte[4096];

    PcapngFrames(CaptureInput in) {
        this.in = in;
    }

    @Override
    public boolean next(CapturedFrame frame) throws IOException {
        while (true) {
            long offset = in.offset();
            if (!in.readFully(head.array(), 0, 8, "a pcapng block header")) return false;
            head.order(ByteOrder.BIG_ENDIAN);
            int type = head.getInt(0);
            if (type == SECTION_HEADER) {
                // The type reads the same in both orders; the byte-order magic after the length says how to
                // read the rest of the section, this block's length included.
                in.readFully(head.array(), 8, 4, "a pcapng section header");
                int magic = head.getInt(8);
                if (magic == BYTE_ORDER_MAGIC) order = ByteOrder.BIG_ENDIAN;
                else if (Integer.reverseBytes(magic) == BYTE_ORDER_MAGIC) order = ByteOrder.LITTLE_ENDIAN;
                else throw new CaptureFormatException(in.source(), offset + 8, "pcapng section header without its byte-order magic");
                interfaces.clear();
            }
            head.order(order);
            type = head.getInt(0);
            long blockLen = head.getInt(4) & 0xffffffffL;
            if (blockLen < 12 || blockLen % 4 != 0 || (type == SECTION_HEADER && blockLen < 28)) {
                throw new CaptureFormatException(in.source(), offset, "pcapng block length " + blockLen + " is impossible");
            }
            int consumed = type == SECTION_HEADER ? 12 : 8;
            boolean read = type == INTERFACE_DESCRIPTION || type == ENHANCED_PACKET || type == SIMPLE_PACKET
                    || type == OBSOLETE_PACKET;
            if (!read) {
                in.skipFully(blockLen - consumed - 4, "a pcapng block of type " + Integer.toUnsignedString(type));
                checkTrailer(offset, blockLen);
                continue;
            }
            if (blockLen > MAX_READ_BLOCK) {
                throw new CaptureFormatException(in.source(), offset, "pcapng packet block length " + blockLen
                        + " is more than any capture tool writes (" + MAX_READ_BLOCK + "): corrupt capture");
            }
            int bodyLen = (int) blockLen - 12;
            if (block.length < bodyLen) block = new byte[Math.max(bodyLen, block.length * 2)];
            in.readFully(block, 0, bodyLen, "a pcapng block");
            checkTrailer(offset, blockLen);
            ByteBuffer body = ByteBuffer.wrap(block, 0, bodyLen).order(order);
            switch (type) {
                case INTERFACE_DESCRIPTION -> interfaces.add(interfaceOf(body, bodyLen, offset));
                case ENHANCED_PACKET -> {
                    if (enhancedPacket(body, bodyLen, offset, frame)) return true;
                }
                case OBSOLETE_PACKET -> {
                    if (obsoletePacket(body, bodyLen, offset, frame)) return true;
                }
                default -> {
                    if (simplePacket(body, bodyLen, offset, frame)) return true;
                }
            }
        }
    }

    private void checkTrailer(long offset, long blockLen) throws IOException {
        in.readFully(head.array(), 0, 4, "a pcapng block trailer");
        long trailer = head.order(order).getInt(0) & 0xffffffffL;
        if (trailer != blockLen) {
            throw new CaptureFormatException(in.source(), offset, "pcapng block length " + blockLen
                    + " and its trailing copy " + trailer + " differ: corrupt capture");
        }
    }

    private Interface interfaceOf(ByteBuffer b, int len, long offset) throws IOException {
        if (len < 8) throw new CaptureFormatException(in.source(), offset, "pcapng interface block too short");
        int linkType = b.getShort(0) & 0xffff;
        int snapLen = b.getInt(4);
        long units = 1_000_000L;
        long offsetSeconds = 0;
        int opt = 8;
        while (opt + 4 <= len) {
            int code = b.getShort(opt) & 0xffff;
            int optLen = b.getShort(opt + 2) & 0xffff;
            if (code == 0 || opt + 4 + optLen > len) break;
            if (code == 9 && optLen >= 1) units = tsresol(b.get(opt + 4) & 0xff);
            if (code == 14 && optLen >= 8) offsetSeconds = b.getLong(opt + 4);
            opt += 4 + ((optLen + 3) & ~3);
        }
        return new Interface(linkType, snapLen, units, offsetSeconds);
    }

    /** if_tsresol: a power of 10, or of 2 when the high bit is set; units per second. */
    private static long tsresol(int r) {
        if ((r & 0x80) != 0) return 1L << Math.min(r & 0x7f, 62);
        long units = 1;
        for (int i = 0; i < Math.min(r, 18); i++) units *= 10;
        return units;
    }

    private Interface interfaceAt(long id, long offset) throws IOException {
        if (id < 0 || id >= interfaces.size()) {
            throw new CaptureFormatException(in.source(), offset, "pcapng packet of interface " + id
                    + " but the section describes " + interfaces.size());
        }
        return interfaces.get((int) id);
    }

    private boolean enhancedPacket(ByteBuffer b, int len, long offset, CapturedFrame frame) throws IOException {
        if (len < 20) throw new CaptureFormatException(in.source(), offset, "pcapng enhanced packet block too short");
        Interface ifc = interfaceAt(b.getInt(0) & 0xffffffffL, offset);
        long ts = ((b.getInt(4) & 0xffffffffL) << 32) | (b.getInt(8) & 0xffffffffL);
        long capLen = b.getInt(12) & 0xffffffffL;
        if (20 + capLen > len) {
            throw new CaptureFormatException(in.source(), offset, "pcapng enhanced packet: captured length " + capLen
                    + " overruns its block");
        }
        fill(frame, ifc, 20, (int) capLen, nanos(ts, ifc), offset);
        return true;
    }

    private boolean obsoletePacket(ByteBuffer b, int len, long offset, CapturedFrame frame) throws IOException {
        if (len < 20) throw new CaptureFormatException(in.source(), offset, "pcapng packet block too short");
        Interface ifc = interfaceAt(b.getShort(0) & 0xffff, offset);
        long ts = ((b.getInt(4) & 0xffffffffL) << 32) | (b.getInt(8) & 0xffffffffL);
        long capLen = b.getInt(12) & 0xffffffffL;
        if (20 + capLen > len) {
            throw new CaptureFormatException(in.source(), offset, "pcapng packet block: captured length " + capLen
                    + " overruns its block");
        }
        fill(frame, ifc, 20, (int) capLen, nanos(ts, ifc), offset);
        return true;
    }

    /** SPB: interface 0, no timestamp; captured length = min(original length, snap length, block). */
    private boolean simplePacket(ByteBuffer b, int len, long offset, CapturedFrame frame) throws IOException {
        if (len < 4) throw new CaptureFormatException(in.source(), offset, "pcapng simple packet block too short");
        Interface ifc = interfaceAt(0, offset);
        long capLen = Math.min(b.getInt(0) & 0xffffffffL, len - 4);
        if (ifc.snapLen() > 0) capLen = Math.min(capLen, ifc.snapLen());
        fill(frame, ifc, 4, (int) capLen, 0, offset);
        return true;
    }

    private void fill(CapturedFrame frame, Interface ifc, int from, int capLen, long nanos, long offset) {
        System.arraycopy(block, from, frame.ensureCapacity(capLen), 0, capLen);
        frame.length = capLen;
        frame.linkType = ifc.linkType();
        frame.timestampNanos = nanos;
        frame.offset = offset;
    }

    private static long nanos(long ts, Interface ifc) {
        long units = ifc.unitsPerSecond();
        long n;
        if (units == 1_000_000_000L) n = ts;
        else if (units < 1_000_000_000L) n = ts / units * 1_000_000_000L + (ts % units) * 1_000_000_000L / units;
        else n = ts / units * 1_000_000_000L + (long) ((double) (ts % units) * 1e9 / units); // finer than ns
        return n + ifc.offsetSeconds() * 1_000_000_000L;
    }
}

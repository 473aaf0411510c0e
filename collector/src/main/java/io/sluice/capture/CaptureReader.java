package io.sluice.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the datagrams of a capture file, whatever its kind:
 * <ul>
 *   <li>classic pcap (either byte order, µs or ns timestamps) and pcapng (what Wireshark writes), with
 *       Ethernet (802.1Q tags skipped), raw IP or Linux cooked (SLL) link layers, IPv4 or IPv6, UDP;
 *       other packets are skipped;</li>
 *   <li>{@code *.payloads.bin}: repeated {@code [u32 big-endian length][bytes]}; the exporter is
 *       unknown, so 127.0.0.1 port 0 stands for it (Akvorado's tests use the same convention);</li>
 *   <li>any other file: one raw datagram (goflow2's {@code .bin} test packets).</li>
 * </ul>
 * Off the hot path (decode, replay, tests, bench loading): allocation is fine here.
 */
public final class CaptureReader {
    private static final int PCAP_MAGIC_US = 0xa1b2c3d4;
    private static final int PCAP_MAGIC_NS = 0xa1b23c4d;
    private static final int LINKTYPE_ETHERNET = 1;
    private static final int LINKTYPE_RAW = 101;
    private static final int LINKTYPE_LINUX_SLL = 113;
    private static final int LINKTYPE_IPV4 = 228;
    private static final int LINKTYPE_IPV6 = 229;
    private static final int PCAPNG_SECTION_HEADER = 0x0A0D0D0A;
    private static final int PCAPNG_BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int PCAPNG_INTERFACE = 1;
    private static final int PCAPNG_SIMPLE_PACKET = 3;
    private static final int PCAPNG_ENHANCED_PACKET = 6;
    private static final byte[] LOCALHOST = {127, 0, 0, 1};

    private CaptureReader() {}

    public static List<CapturedDatagram> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String name = file.getFileName().toString();
        if (isPcap(bytes)) return readPcap(file, bytes);
        if (isPcapng(bytes)) return readPcapng(file, bytes);
        if (name.endsWith(".payloads.bin")) return readPayloads(file, bytes);
        return List.of(new CapturedDatagram(LOCALHOST, 0, 0, 0, bytes));
    }

    /** Reads several files in order, as one stream. */
    public static List<CapturedDatagram> readAll(List<Path> files) throws IOException {
        List<CapturedDatagram> all = new ArrayList<>();
        for (Path f : files) all.addAll(read(f));
        return all;
    }

    static boolean isPcap(byte[] b) {
        if (b.length < 24) return false;
        int be = ByteBuffer.wrap(b, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
        int le = ByteBuffer.wrap(b, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return be == PCAP_MAGIC_US || be == PCAP_MAGIC_NS || le == PCAP_MAGIC_US || le == PCAP_MAGIC_NS;
    }

    static boolean isPcapng(byte[] b) {
        return b.length >= 12 && ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN).getInt(0) == PCAPNG_SECTION_HEADER;
    }

    /** pcapng: section header, interface descriptions (link type, timestamp resolution), packet blocks. */
    static List<CapturedDatagram> readPcapng(Path file, byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        List<CapturedDatagram> out = new ArrayList<>();
        List<int[]> interfaces = new ArrayList<>(); // per interface: {link type}
        List<Long> unitsPerSecond = new ArrayList<>();
        int pos = 0;
        ByteBuffer bigEndian = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        while (pos + 12 <= bytes.length) {
            // The section header's type reads the same in both orders; its byte-order magic says how to
            // read the rest of the section, this block's length included.
            if (bigEndian.getInt(pos) == PCAPNG_SECTION_HEADER) {
                int magic = bigEndian.getInt(pos + 8);
                buf.order(magic == PCAPNG_BYTE_ORDER_MAGIC ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
                interfaces.clear();
                unitsPerSecond.clear();
            }
            int type = buf.getInt(pos);
            int blockLen = buf.getInt(pos + 4);
            if (blockLen < 12 || blockLen % 4 != 0 || pos + blockLen > bytes.length) {
                throw new CaptureFormatException(file, pos, "pcapng block length " + blockLen + " is impossible");
            }
            int body = pos + 8;
            int bodyEnd = pos + blockLen - 4;
            switch (type) {
                case PCAPNG_INTERFACE -> {
                    interfaces.add(new int[] {buf.getShort(body) & 0xffff});
                    unitsPerSecond.add(pcapngTimestampUnits(buf, body + 8, bodyEnd));
                }
                case PCAPNG_ENHANCED_PACKET -> {
                    int ifc = buf.getInt(body);
                    long ts = ((buf.getInt(body + 4) & 0xffffffffL) << 32) | (buf.getInt(body + 8) & 0xffffffffL);
                    int capLen = buf.getInt(body + 12);
                    if (ifc < 0 || ifc >= interfaces.size() || capLen < 0 || body + 20 + capLen > bodyEnd) {
                        throw new CaptureFormatException(file, pos, "bad enhanced packet block");
                    }
                    long units = unitsPerSecond.get(ifc);
                    long nanos = units == 1_000_000_000L ? ts : ts / units * 1_000_000_000L + (ts % units) * 1_000_000_000L / units;
                    CapturedDatagram d = udpOf(bytes, body + 20, capLen, interfaces.get(ifc)[0], nanos);
                    if (d != null) out.add(d);
                }
                case PCAPNG_SIMPLE_PACKET -> {
                    if (!interfaces.isEmpty()) {
                        int capLen = Math.min(buf.getInt(body), bodyEnd - body - 4);
                        CapturedDatagram d = udpOf(bytes, body + 4, capLen, interfaces.get(0)[0], 0);
                        if (d != null) out.add(d);
                    }
                }
                default -> { } // statistics, name resolution, custom blocks: nothing to replay
            }
            pos += blockLen;
        }
        return out;
    }

    /** Timestamp units per second of an interface: option if_tsresol (9), default microseconds. */
    private static long pcapngTimestampUnits(ByteBuffer buf, int opt, int end) {
        while (opt + 4 <= end) {
            int code = buf.getShort(opt) & 0xffff;
            int len = buf.getShort(opt + 2) & 0xffff;
            if (code == 0) break;
            if (code == 9 && len >= 1) {
                int r = buf.get(opt + 4) & 0xff;
                long units = 1;
                if ((r & 0x80) == 0) {
                    for (int i = 0; i < Math.min(r, 18); i++) units *= 10;
                } else {
                    units = 1L << Math.min(r & 0x7f, 62);
                }
                return units;
            }
            opt += 4 + ((len + 3) & ~3);
        }
        return 1_000_000L;
    }

    static List<CapturedDatagram> readPayloads(Path file, byte[] bytes) throws IOException {
        List<CapturedDatagram> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
        while (buf.hasRemaining()) {
            if (buf.remaining() < 4) throw new CaptureFormatException(file, buf.position(), "truncated length prefix");
            int len = buf.getInt();
            if (len < 0 || len > buf.remaining()) {
                throw new CaptureFormatException(file, buf.position() - 4, "length " + len + " overruns the file");
            }
            byte[] payload = new byte[len];
            buf.get(payload);
            out.add(new CapturedDatagram(LOCALHOST, 0, 0, 0, payload));
        }
        return out;
    }

    static List<CapturedDatagram> readPcap(Path file, byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int magic = buf.order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS) buf.order(ByteOrder.LITTLE_ENDIAN);
        boolean nanos = buf.getInt(0) == PCAP_MAGIC_NS;
        int linkType = buf.getInt(20) & 0x0fffffff; // upper bits may carry FCS info
        List<CapturedDatagram> out = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= bytes.length) {
            long sec = buf.getInt(pos) & 0xffffffffL;
            long frac = buf.getInt(pos + 4) & 0xffffffffL;
            int inclLen = buf.getInt(pos + 8);
            pos += 16;
            if (inclLen < 0 || pos + inclLen > bytes.length) {
                throw new CaptureFormatException(file, pos - 16, "record length " + inclLen + " overruns the file");
            }
            long ts = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
            CapturedDatagram d = udpOf(bytes, pos, inclLen, linkType, ts);
            if (d != null) out.add(d);
            pos += inclLen;
        }
        return out;
    }

    /** The UDP datagram inside one captured frame, or null if the frame is not IP/UDP. */
    private static CapturedDatagram udpOf(byte[] b, int off, int len, int linkType, long ts) {
        ByteBuffer p = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        int end = off + len;
        int ipOff;
        switch (linkType) {
            case LINKTYPE_ETHERNET -> {
                if (len < 14) return null;
                int etype = p.getShort(off + 12) & 0xffff;
                ipOff = off + 14;
                while ((etype == 0x8100 || etype == 0x88a8) && ipOff + 4 <= end) {
                    etype = p.getShort(ipOff + 2) & 0xffff;
                    ipOff += 4;
                }
                if (etype != 0x0800 && etype != 0x86dd) return null;
            }
            case LINKTYPE_LINUX_SLL -> {
                if (len < 16) return null;
                ipOff = off + 16;
            }
            case LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6 -> ipOff = off;
            default -> {
                return null;
            }
        }
        if (ipOff >= end) return null;
        int version = (b[ipOff] & 0xff) >>> 4;
        byte[] src;
        int udpOff;
        if (version == 4) {
            int ihl = (b[ipOff] & 0x0f) * 4;
            if (ipOff + 20 > end || (b[ipOff + 9] & 0xff) != 17) return null;
            src = new byte[4];
            System.arraycopy(b, ipOff + 12, src, 0, 4);
            udpOff = ipOff + ihl;
        } else if (version == 6) {
            if (ipOff + 40 > end || (b[ipOff + 6] & 0xff) != 17) return null; // no extension headers
            src = new byte[16];
            System.arraycopy(b, ipOff + 8, src, 0, 16);
            udpOff = ipOff + 40;
        } else {
            return null;
        }
        if (udpOff + 8 > end) return null;
        int srcPort = p.getShort(udpOff) & 0xffff;
        int dstPort = p.getShort(udpOff + 2) & 0xffff;
        int udpLen = p.getShort(udpOff + 4) & 0xffff;
        // What a socket delivers is bounded by the UDP length, not by the frame (fuzzed captures disagree).
        int payloadLen = Math.min(Math.max(udpLen - 8, 0), end - udpOff - 8);
        byte[] payload = new byte[payloadLen];
        System.arraycopy(b, udpOff + 8, payload, 0, payloadLen);
        return new CapturedDatagram(src, srcPort, dstPort, ts, payload);
    }
}

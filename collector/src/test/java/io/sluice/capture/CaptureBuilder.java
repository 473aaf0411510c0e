package io.sluice.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds captures byte by byte for the tests, each layout from its specification: pcap
 * (draft-ietf-opsawg-pcap), pcapng (draft-ietf-opsawg-pcapng), the link-layer headers of
 * tcpdump.org/linktypes.html (Ethernet/802.1Q, LINUX_SLL, LINUX_SLL2, NULL, LOOP), IPv4 (RFC 791, with
 * fragmentation), IPv6 (RFC 8200, fragment header 4.5) and UDP (RFC 768). The payloads are real
 * datagrams taken from ../shared captures by the tests.
 */
public final class CaptureBuilder {
    public static final byte[] EXPORTER_V4 = {(byte) 192, 0, 2, 7};
    public static final byte[] COLLECTOR_V4 = {(byte) 192, 0, 2, 9};
    public static final byte[] EXPORTER_V6 = v6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7);
    public static final byte[] COLLECTOR_V6 = v6(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9);

    private CaptureBuilder() {}

    private static byte[] v6(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    /** UDP header + payload (checksum 0: "not computed", allowed over IPv4; IPv6 receivers do not check here). */
    public static byte[] udp(int sourcePort, int destinationPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) sourcePort).putShort((short) destinationPort).putShort((short) (8 + payload.length))
                .putShort((short) 0).put(payload);
        return b.array();
    }

    /** An IPv4 packet (RFC 791): 20-byte header, protocol, id, flags/offset in 8-byte units. */
    public static byte[] ipv4(byte[] src, byte[] dst, int protocol, int id, boolean moreFragments, int offset8,
                              byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) id)
                .putShort((short) ((moreFragments ? 0x2000 : 0) | offset8)).put((byte) 64).put((byte) protocol)
                .putShort((short) 0).put(src).put(dst).put(payload);
        byte[] p = b.array();
        int sum = 0;
        for (int i = 0; i < 20; i += 2) sum += ((p[i] & 0xff) << 8) | (p[i + 1] & 0xff);
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        p[10] = (byte) (~sum >>> 8);
        p[11] = (byte) ~sum;
        return p;
    }

    public static byte[] ipv4Udp(byte[] payload, int destinationPort) {
        return ipv4(EXPORTER_V4, COLLECTOR_V4, 17, 1, false, 0, udp(50000, destinationPort, payload));
    }

    /** The IPv4 fragments of one UDP datagram (RFC 791 section 3.2), each carrying {@code size} bytes (a multiple of 8). */
    public static List<byte[]> ipv4Fragments(byte[] udpDatagram, int id, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < udpDatagram.length; off += size) {
            int len = Math.min(size, udpDatagram.length - off);
            byte[] part = java.util.Arrays.copyOfRange(udpDatagram, off, off + len);
            out.add(ipv4(EXPORTER_V4, COLLECTOR_V4, 17, id, off + len < udpDatagram.length, off / 8, part));
        }
        return out;
    }

    /** An IPv6 packet (RFC 8200): fixed header with the next header and the payload (extension headers included). */
    public static byte[] ipv6(byte[] src, byte[] dst, int nextHeader, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
        b.putInt(0x60000000).putShort((short) payload.length).put((byte) nextHeader).put((byte) 64)
                .put(src).put(dst).put(payload);
        return b.array();
    }

    public static byte[] ipv6Udp(byte[] payload, int destinationPort) {
        return ipv6(EXPORTER_V6, COLLECTOR_V6, 17, udp(50000, destinationPort, payload));
    }

    /**
     * The IPv6 fragments of one UDP datagram (RFC 8200 4.5): each packet is the fixed header, a hop-by-hop
     * options header (8 bytes of padding: an unfragmentable extension header the reader must walk), the
     * fragment header and {@code size} bytes of the fragmentable part.
     */
    public static List<byte[]> ipv6Fragments(byte[] udpDatagram, long id, int size) {
        List<byte[]> out = new ArrayList<>();
        for (int off = 0; off < udpDatagram.length; off += size) {
            int len = Math.min(size, udpDatagram.length - off);
            boolean more = off + len < udpDatagram.length;
            ByteBuffer ext = ByteBuffer.allocate(8 + 8 + len);
            // Hop-by-hop: next = fragment (44), length 0 (8 bytes), PadN option of 4 bytes of padding.
            ext.put((byte) 44).put((byte) 0).put((byte) 1).put((byte) 4).putInt(0);
            // Fragment header: next = UDP, reserved, offset << 3 | M, identification.
            ext.put((byte) 17).put((byte) 0).putShort((short) ((off / 8) << 3 | (more ? 1 : 0))).putInt((int) id);
            ext.put(udpDatagram, off, len);
            out.add(ipv6(EXPORTER_V6, COLLECTOR_V6, 0, ext.array()));
        }
        return out;
    }

    /** Ethernet II with the given 802.1Q/802.1ad tag types (each with VLAN 100 + i) before the EtherType. */
    public static byte[] ethernet(byte[] ip, int... tagTypes) {
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * tagTypes.length + ip.length);
        b.put(new byte[] {0, 0x53, 0, 0, 0, 2, 0, 0x53, 0, 0, 0, 1});
        for (int i = 0; i < tagTypes.length; i++) b.putShort((short) tagTypes[i]).putShort((short) (100 + i));
        b.putShort((short) etherType(ip)).put(ip);
        return b.array();
    }

    /** LINUX_SLL (113): packet type, ARPHRD_ETHER, address length 6, address padded to 8, protocol. */
    public static byte[] sll(byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(16 + ip.length);
        b.putShort((short) 0).putShort((short) 1).putShort((short) 6).put(new byte[] {0, 0x53, 0, 0, 0, 1, 0, 0})
                .putShort((short) etherType(ip)).put(ip);
        return b.array();
    }

    /** LINUX_SLL2 (276): protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address. */
    public static byte[] sll2(byte[] ip) {
        ByteBuffer b = ByteBuffer.allocate(20 + ip.length);
        b.putShort((short) etherType(ip)).putShort((short) 0).putInt(3).putShort((short) 1).put((byte) 0)
                .put((byte) 6).put(new byte[] {0, 0x53, 0, 0, 0, 1, 0, 0}).put(ip);
        return b.array();
    }

    /** NULL (0) or LOOP (108): a 4-byte address family (in {@code order}) then the IP packet. */
    public static byte[] bsdLoopback(byte[] ip, int family, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(4 + ip.length).order(order);
        b.putInt(family).put(ip);
        return b.array();
    }

    private static int etherType(byte[] ip) {
        return (ip[0] & 0xf0) == 0x60 ? 0x86dd : 0x0800;
    }

    /** A classic pcap: file header then one record per frame, timestamps 1 s apart from {@code firstSecond}. */
    public static byte[] pcap(ByteOrder order, boolean nanos, int linkType, long firstSecond, List<byte[]> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(order);
        h.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262144).putInt(linkType);
        out.writeBytes(h.array());
        long second = firstSecond;
        for (byte[] f : frames) {
            ByteBuffer r = ByteBuffer.allocate(16).order(order);
            r.putInt((int) second).putInt(nanos ? 123_456_789 : 123_456).putInt(f.length).putInt(f.length);
            out.writeBytes(r.array());
            out.writeBytes(f);
            second++;
        }
        return out.toByteArray();
    }

    /** One frame and its capture time. */
    public record Frame(long timestampNanos, byte[] data) {}

    /** A classic pcap of frames with their own timestamps (µs or ns resolution as {@code nanos} says). */
    public static byte[] pcapOf(ByteOrder order, boolean nanos, int linkType, List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(order);
        h.putInt(nanos ? 0xa1b23c4d : 0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262144).putInt(linkType);
        out.writeBytes(h.array());
        for (Frame f : frames) {
            long sec = f.timestampNanos() / 1_000_000_000L;
            long ns = f.timestampNanos() % 1_000_000_000L;
            ByteBuffer r = ByteBuffer.allocate(16).order(order);
            r.putInt((int) sec).putInt((int) (nanos ? ns : ns / 1000)).putInt(f.data().length).putInt(f.data().length);
            out.writeBytes(r.array());
            out.writeBytes(f.data());
        }
        return out.toByteArray();
    }

    /**
     * The datagrams of a real capture in new frames: each as IPv4 (its own exporter address and ports) or,
     * when {@code asIpv6}, IPv6 from {@link #EXPORTER_V6}; {@code link} wraps the IP packet.
     */
    public static List<Frame> rewrap(List<CapturedDatagram> datagrams, boolean asIpv6,
                                     java.util.function.UnaryOperator<byte[]> link) {
        List<Frame> out = new ArrayList<>();
        for (CapturedDatagram d : datagrams) {
            byte[] udp = udp(d.sourcePort(), d.destinationPort(), d.payload());
            byte[] ip = asIpv6 ? ipv6(EXPORTER_V6, COLLECTOR_V6, 17, udp)
                    : ipv4(d.sourceAddress(), COLLECTOR_V4, 17, 1, false, 0, udp);
            out.add(new Frame(d.timestampNanos(), link.apply(ip)));
        }
        return out;
    }

    /** pcapng, block by block. */
    public static final class Pcapng {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteOrder order;

        public Pcapng(ByteOrder order) {
            this.order = order;
        }

        /** Any block: type, total length, body padded to 32 bits, total length again. */
        public Pcapng block(int type, byte[] body) {
            int padded = (body.length + 3) & ~3;
            ByteBuffer b = ByteBuffer.allocate(12 + padded).order(order);
            b.putInt(type).putInt(12 + padded).put(body).position(8 + padded);
            b.putInt(12 + padded);
            out.writeBytes(b.array());
            return this;
        }

        /** Section header: byte-order magic, version 1.0, section length unknown (-1). */
        public Pcapng section() {
            ByteBuffer b = ByteBuffer.allocate(16).order(order);
            b.putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1);
            return block(0x0A0D0D0A, b.array());
        }

        /** Interface description with an if_tsresol option (9) when {@code tsresol} >= 0, then opt_endofopt. */
        public Pcapng iface(int linkType, int tsresol) {
            ByteBuffer b = ByteBuffer.allocate(tsresol >= 0 ? 20 : 12).order(order);
            b.putShort((short) linkType).putShort((short) 0).putInt(0);
            if (tsresol >= 0) b.putShort((short) 9).putShort((short) 1).put((byte) tsresol).put(new byte[3]);
            b.putInt(0);
            return block(1, b.array());
        }

        /** Enhanced packet: interface, 64-bit timestamp in the interface's units, lengths, data. */
        public Pcapng enhanced(int iface, long timestamp, byte[] frame) {
            int padded = (frame.length + 3) & ~3;
            ByteBuffer b = ByteBuffer.allocate(20 + padded).order(order);
            b.putInt(iface).putInt((int) (timestamp >>> 32)).putInt((int) timestamp).putInt(frame.length)
                    .putInt(frame.length).put(frame);
            return block(6, b.array());
        }

        /** Simple packet: original length then data (interface 0, no timestamp). */
        public Pcapng simple(byte[] frame) {
            int padded = (frame.length + 3) & ~3;
            ByteBuffer b = ByteBuffer.allocate(4 + padded).order(order);
            b.putInt(frame.length).put(frame);
            return block(3, b.array());
        }

        public byte[] bytes() {
            return out.toByteArray();
        }
    }
}

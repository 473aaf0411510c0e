package io.sluice.capture;

/**
 * Where the IP packet starts in a frame of a given link type (numbers from tcpdump.org/linktypes.html),
 * or a negative {@link #NOT_IP} / {@link #UNSUPPORTED} / {@link #TRUNCATED}.
 */
final class LinkLayer {
    static final int NULL = 0;
    static final int ETHERNET = 1;
    static final int RAW = 101;
    static final int LOOP = 108;
    static final int LINUX_SLL = 113;
    static final int IPV4 = 228;
    static final int IPV6 = 229;
    static final int LINUX_SLL2 = 276;

    static final int NOT_IP = -1;
    static final int UNSUPPORTED = -2;
    static final int TRUNCATED = -3;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;

    private LinkLayer() {}

    static boolean supported(int linkType) {
        return switch (linkType) {
            case NULL, ETHERNET, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 -> true;
            default -> false;
        };
    }

    static int ipOffset(int linkType, byte[] f, int len) {
        return switch (linkType) {
            case ETHERNET -> ethernet(f, len);
            // SLL: packet type, ARPHRD type, address length, 8 address bytes, then the protocol (an EtherType).
            case LINUX_SLL -> len < 16 ? TRUNCATED : afterEtherType(f, len, 14, 16);
            // SLL2 (what `tcpdump -i any` writes since libpcap 1.10): the protocol comes first, header 20 bytes.
            case LINUX_SLL2 -> len < 20 ? TRUNCATED : afterEtherType(f, len, 0, 20);
            // NULL: the BSD address family in the capturing host's byte order; LOOP: in network order.
            case NULL -> len < 4 ? TRUNCATED : family(hostOrderFamily(f), 4);
            case LOOP -> len < 4 ? TRUNCATED : family(u32(f, 0), 4);
            case RAW, IPV4, IPV6 -> 0;
            default -> UNSUPPORTED;
        };
    }

    /** Ethernet II with any stack of 802.1Q (0x8100), 802.1ad (0x88a8) or old QinQ (0x9100) tags. */
    private static int ethernet(byte[] f, int len) {
        if (len < 14) return TRUNCATED;
        int off = 12;
        int type = u16(f, off);
        while (type == 0x8100 || type == 0x88a8 || type == 0x9100) {
            off += 4;
            if (off + 2 > len) return TRUNCATED;
            type = u16(f, off);
        }
        return ipType(type) ? off + 2 : NOT_IP;
    }

    /** SLL/SLL2: the protocol field is an EtherType; 802.1Q tags left in the frame are skipped too. */
    private static int afterEtherType(byte[] f, int len, int typeAt, int headerLen) {
        int type = u16(f, typeAt);
        int off = headerLen;
        while (type == 0x8100 || type == 0x88a8) {
            if (off + 4 > len) return TRUNCATED;
            type = u16(f, off + 2);
            off += 4;
        }
        return ipType(type) ? off : NOT_IP;
    }

    private static boolean ipType(int etherType) {
        return etherType == ETHERTYPE_IPV4 || etherType == ETHERTYPE_IPV6;
    }

    /**
     * The family word as the capturing host wrote it: AF_INET is 2 everywhere, AF_INET6 is 10 (Linux),
     * 24 (NetBSD, OpenBSD), 28 (FreeBSD) or 30 (macOS). A value with high bits set was written in the other
     * byte order (what libpcap and Wireshark do too).
     */
    private static int hostOrderFamily(byte[] f) {
        int v = u32(f, 0);
        return (v & 0xffff0000) != 0 ? Integer.reverseBytes(v) : v;
    }

    private static int family(int af, int off) {
        return switch (af) {
            case 2, 10, 24, 28, 30 -> off;
            default -> NOT_IP;
        };
    }

    static int u16(byte[] b, int off) {
        return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
    }

    static int u32(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }
}

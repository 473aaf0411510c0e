package io.sluice.decode.packet;

import io.sluice.flow.FlowRecord;
import java.nio.ByteBuffer;

/**
 * Parses the start of a captured packet (an sFlow raw packet header, an IPFIX dataLinkFrameSection)
 * into a {@link FlowRecord}: Ethernet, 802.1Q / QinQ, MPLS (with an Ethernet-over-MPLS control word),
 * IPv4, IPv6 (extension headers, optionally SRv6 decapsulation), TCP, UDP, SCTP ports, ICMP.
 *
 * <p>Reads with absolute gets inside {@code [offset, offset + length)} only; a header cut short stops
 * the parse where it is (what was read stays in the record). Never throws on packet content, never
 * allocates. Every loop is bounded (VLAN tags, MPLS labels, IPv6 extension headers).
 */
public final class PacketHeaderParser {
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;
    private static final int ETHERTYPE_MPLS = 0x8847;
    private static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;
    private static final int MAX_VLAN_TAGS = 4;
    private static final int MAX_MPLS_LABELS = 16;
    private static final int MAX_IPV6_EXTENSIONS = 8;

    private PacketHeaderParser() {}

    /**
     * Parses a frame starting at its Ethernet header.
     *
     * @return the L3 length of the packet reported (IPv4 total length, IPv6 payload length + 40), or 0
     *     when no IP header was found (frame rejected: not IP, bad MPLS payload, truncated)
     */
    public static int parse(ByteBuffer buf, int offset, int length, FlowRecord flow) {
        return parse(buf, offset, length, flow, false);
    }

    /** As {@link #parse(ByteBuffer, int, int, FlowRecord)}; {@code decapSrv6}: report the packet inside an SRv6 tunnel. */
    public static int parse(ByteBuffer buf, int offset, int length, FlowRecord flow, boolean decapSrv6) {
        int end = end(buf, offset, length);
        if (offset < 0 || offset + 14 > end) return 0;
        flow.dstMac = mac(buf, offset);
        flow.srcMac = mac(buf, offset + 6);
        int p = offset + 12;
        int etype = buf.getShort(p) & 0xFFFF;
        p += 2;
        for (int tags = 0; tags < MAX_VLAN_TAGS && isVlan(etype); tags++) {
            if (p + 4 > end) return 0;
            if (flow.vlanId == 0) flow.vlanId = buf.getShort(p) & 0x0FFF;
            etype = buf.getShort(p + 2) & 0xFFFF;
            p += 4;
        }
        if (etype == ETHERTYPE_MPLS || etype == ETHERTYPE_MPLS_MULTICAST) {
            return parseMpls(buf, p, end, flow, decapSrv6);
        }
        return parseByEthertype(buf, p, end, etype, flow, decapSrv6);
    }

    /** Parses a packet starting at its IPv4 or IPv6 header (the version nibble decides). */
    public static int parseIp(ByteBuffer buf, int offset, int length, FlowRecord flow) {
        return parseIp(buf, offset, length, flow, false);
    }

    public static int parseIp(ByteBuffer buf, int offset, int length, FlowRecord flow, boolean decapSrv6) {
        int end = end(buf, offset, length);
        if (offset < 0 || offset >= end) return 0;
        return switch ((buf.get(offset) & 0xF0) >>> 4) {
            case 4 -> parseIpv4(buf, offset, end, flow, decapSrv6, 0);
            case 6 -> parseIpv6(buf, offset, end, flow, decapSrv6, 0);
            default -> 0;
        };
    }

    private static int end(ByteBuffer buf, int offset, int length) {
        long e = (long) offset + Math.max(0, length);
        return (int) Math.min(e, buf.limit());
    }

    private static boolean isVlan(int etype) {
        return etype == ETHERTYPE_VLAN || etype == ETHERTYPE_QINQ || etype == ETHERTYPE_QINQ_OLD;
    }

    private static int parseByEthertype(ByteBuffer buf, int p, int end, int etype, FlowRecord flow, boolean decap) {
        if (etype == ETHERTYPE_IPV4) return parseIpv4(buf, p, end, flow, decap, 0);
        if (etype == ETHERTYPE_IPV6) return parseIpv6(buf, p, end, flow, decap, 0);
        flow.etype = etype;
        return 0;
    }

    private static int parseMpls(ByteBuffer buf, int p, int end, FlowRecord flow, boolean decap) {
        for (int i = 0; i < MAX_MPLS_LABELS; i++) {
            if (p + 4 > end) return 0;
            int entry = buf.getInt(p);
            p += 4;
            flow.addMpls(entry >>> 12, entry & 0xFF);
            if ((entry & 0x100) != 0) { // bottom of stack: guess the payload from its first nibble
                if (p >= end) return 0;
                int nibble = (buf.get(p) & 0xF0) >>> 4;
                if (nibble == 4) return parseIpv4(buf, p, end, flow, decap, 0);
                if (nibble == 6) return parseIpv6(buf, p, end, flow, decap, 0);
                if (nibble == 0) { // pseudowire control word, then an Ethernet frame
                    // Only an all-zero control word is taken (as Akvorado does): a payload that merely
                    // starts with a 0 nibble, or a CW with flags/sequence we do not check, is rejected.
                    if (p + 4 > end || buf.getInt(p) != 0) return 0;
                    return parseEthernetOverMpls(buf, p + 4, end, flow, decap);
                }
                return 0;
            }
        }
        return 0;
    }

    /** The Ethernet frame carried after a pseudowire control word: the outer MACs are kept, its IP is parsed. */
    private static int parseEthernetOverMpls(ByteBuffer buf, int p, int end, FlowRecord flow, boolean decap) {
        if (p + 14 > end) return 0;
        int etype = buf.getShort(p + 12) & 0xFFFF;
        p += 14;
        for (int tags = 0; tags < MAX_VLAN_TAGS && isVlan(etype); tags++) {
            if (p + 4 > end) return 0;
            etype = buf.getShort(p + 2) & 0xFFFF;
            p += 4;
        }
        return parseByEthertype(buf, p, end, etype, flow, decap);
    }

    private static int parseIpv4(ByteBuffer buf, int p, int end, FlowRecord flow, boolean decap, int depth) {
        if (p + 20 > end) return 0;
        int vihl = buf.get(p) & 0xFF;
        int ihl = (vihl & 0x0F) * 4;
        if ((vihl >>> 4) != 4 || ihl < 20) return 0;
        flow.etype = ETHERTYPE_IPV4;
        flow.ipTos = buf.get(p + 1) & 0xFF;
        int totalLength = buf.getShort(p + 2) & 0xFFFF;
        flow.fragmentId = buf.getShort(p + 4) & 0xFFFF;
        int flagsOffset = buf.getShort(p + 6) & 0xFFFF;
        flow.ipFlags = flagsOffset >>> 13;
        flow.fragmentOffset = flagsOffset & 0x1FFF;
        flow.ipTtl = buf.get(p + 8) & 0xFF;
        flow.proto = buf.get(p + 9) & 0xFF;
        flow.srcAddr.set(buf, p + 12, 4);
        flow.dstAddr.set(buf, p + 16, 4);
        if (flow.fragmentOffset == 0) parseL4(buf, p + ihl, end, flow.proto, flow);
        return totalLength;
    }

    private static int parseIpv6(ByteBuffer buf, int p, int end, FlowRecord flow, boolean decap, int depth) {
        if (p + 40 > end) return 0;
        int first = buf.getInt(p);
        if ((first >>> 28) != 6) return 0;
        flow.etype = ETHERTYPE_IPV6;
        flow.ipTos = (first >>> 20) & 0xFF;
        flow.ipv6FlowLabel = first & 0xFFFFF;
        int payloadLength = buf.getShort(p + 4) & 0xFFFF;
        int next = buf.get(p + 6) & 0xFF;
        flow.ipTtl = buf.get(p + 7) & 0xFF;
        flow.srcAddr.set(buf, p + 8, 16);
        flow.dstAddr.set(buf, p + 24, 16);
        int q = p + 40;
        boolean fragmentTail = false;
        for (int i = 0; i < MAX_IPV6_EXTENSIONS; i++) {
            if (next == 0 || next == 60) { // hop-by-hop, destination options
                if (q + 8 > end) break;
                int len = ((buf.get(q + 1) & 0xFF) + 1) * 8;
                next = buf.get(q) & 0xFF;
                q += len;
            } else if (next == 43) { // routing
                if (q + 8 > end) break;
                int len = ((buf.get(q + 1) & 0xFF) + 1) * 8;
                int routingType = buf.get(q + 2) & 0xFF;
                int inner = buf.get(q) & 0xFF;
                q += len;
                next = inner;
                if (decap && depth == 0 && routingType == 4 && (inner == 4 || inner == 41)) {
                    resetL3(flow);
                    return inner == 4 ? parseIpv4(buf, q, end, flow, false, 1) : parseIpv6(buf, q, end, flow, false, 1);
                }
            } else if (next == 44) { // fragment
                if (q + 8 > end) break;
                next = buf.get(q) & 0xFF;
                int offsetFlags = buf.getShort(q + 2) & 0xFFFF;
                flow.fragmentOffset = offsetFlags >>> 3;
                flow.fragmentId = buf.getInt(q + 4) & 0xFFFF_FFFFL;
                fragmentTail = flow.fragmentOffset != 0;
                q += 8;
            } else {
                break;
            }
        }
        if (decap && depth == 0 && (next == 4 || next == 41)) { // SRv6 without SRH (reduced encapsulation)
            resetL3(flow);
            return next == 4 ? parseIpv4(buf, q, end, flow, false, 1) : parseIpv6(buf, q, end, flow, false, 1);
        }
        flow.proto = next;
        if (!fragmentTail) parseL4(buf, q, end, next, flow);
        return payloadLength + 40;
    }

    /** Forgets the outer headers' fields before an inner packet is parsed (decapsulation). */
    private static void resetL3(FlowRecord flow) {
        flow.srcMac = 0;
        flow.dstMac = 0;
        flow.vlanId = 0;
        flow.mplsCount = 0;
        flow.ipTos = 0;
        flow.ipv6FlowLabel = 0;
        flow.ipTtl = 0;
        flow.fragmentId = 0;
        flow.fragmentOffset = 0;
        flow.ipFlags = 0;
        flow.srcAddr.clear();
        flow.dstAddr.clear();
    }

    private static void parseL4(ByteBuffer buf, int q, int end, int proto, FlowRecord flow) {
        switch (proto) {
            case 6 -> { // TCP
                if (q + 4 <= end) {
                    flow.srcPort = buf.getShort(q) & 0xFFFF;
                    flow.dstPort = buf.getShort(q + 2) & 0xFFFF;
                }
                if (q + 14 <= end) flow.tcpFlags = buf.get(q + 13) & 0xFF;
            }
            case 17, 132, 136 -> { // UDP, SCTP, UDP-Lite
                if (q + 4 <= end) {
                    flow.srcPort = buf.getShort(q) & 0xFFFF;
                    flow.dstPort = buf.getShort(q + 2) & 0xFFFF;
                }
            }
            case 1, 58 -> { // ICMP, ICMPv6
                if (q + 2 <= end) {
                    flow.icmpType = buf.get(q) & 0xFF;
                    flow.icmpCode = buf.get(q + 1) & 0xFF;
                }
            }
            default -> { }
        }
    }

    private static long mac(ByteBuffer buf, int p) {
        return ((buf.getShort(p) & 0xFFFFL) << 32) | (buf.getInt(p + 2) & 0xFFFF_FFFFL);
    }
}

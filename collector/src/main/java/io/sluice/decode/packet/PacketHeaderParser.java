package io.sluice.decode.packet;

import io.sluice.flow.FlowRecord;
import java.nio.ByteBuffer;

/**
 * Parses the first bytes of a sampled packet (sFlow raw packet header, IPFIX dataLinkFrameSection)
 * into a {@link FlowRecord}: Ethernet, 802.1Q / QinQ tags, MPLS label stacks (with the pseudowire
 * control word of Ethernet-over-MPLS), IPv4, IPv6 and its extension headers, then TCP, UDP, ICMP and
 * ICMPv6; optionally through one GRE, IP-in-IP, SRv6 or VXLAN tunnel ({@link Decapsulation}).
 *
 * <p>Reads with absolute gets inside {@code [offset, offset + length)} only (the sampled header is a
 * truncated packet: every layer is checked against what is there, and a layer cut short simply ends
 * the parse), allocates nothing, and never throws for any content. Every loop has a fixed bound.
 *
 * <p>What it writes: MACs (outermost Ethernet; the inner one only for VXLAN / GRE bridging, where the
 * outer one belongs to the tunnel), {@code vlanId} (the innermost 802.1Q tag, which for QinQ is the
 * customer VLAN), MPLS labels and TTLs in stack order, {@code etype} (the L3 ethertype, 0x0800 /
 * 0x86DD even under MPLS), addresses, tos, ttl, flow label, fragment id/offset and flags, proto, ports,
 * TCP flags, ICMP type/code. The returned value is the L3 length of the reported IP packet as its own
 * header states it (IPv4 total length, IPv6 payload length + 40), 0 when no IP packet was found.
 */
public final class PacketHeaderParser {
    public static final int ETYPE_IPV4 = 0x0800;
    public static final int ETYPE_IPV6 = 0x86DD;
    public static final int ETYPE_VLAN = 0x8100;
    public static final int ETYPE_QINQ = 0x88A8;
    /** Pre-standard QinQ outer tag some switches still send. */
    public static final int ETYPE_QINQ_LEGACY = 0x9100;
    public static final int ETYPE_MPLS = 0x8847;
    public static final int ETYPE_MPLS_MULTICAST = 0x8848;
    /** GRE payload type for an Ethernet frame (transparent Ethernet bridging). */
    public static final int ETYPE_TRANSPARENT_BRIDGING = 0x6558;

    public static final int PROTO_ICMP = 1;
    public static final int PROTO_IPIP = 4;
    public static final int PROTO_TCP = 6;
    public static final int PROTO_UDP = 17;
    public static final int PROTO_IPV6 = 41;
    public static final int PROTO_GRE = 47;
    public static final int PROTO_ICMPV6 = 58;
    public static final int VXLAN_PORT = 4789;

    /** More tags than this is not a real frame. */
    static final int MAX_VLAN_TAGS = 4;
    /** Deeper stacks exist only in labs; FlowRecord keeps 16 labels. */
    static final int MAX_MPLS_LABELS = FlowRecord.MAX_LIST;
    static final int MAX_IPV6_EXTENSION_HEADERS = 8;

    private PacketHeaderParser() {}

    /** Parses an Ethernet frame starting at {@code offset}, without decapsulation. */
    public static void parse(ByteBuffer buf, int offset, int length, FlowRecord flow) {
        parseEthernet(buf, offset, length, flow, Decapsulation.NONE);
    }

    /** Parses an Ethernet frame; returns the L3 length of the reported IP packet, 0 if none. */
    public static int parseEthernet(ByteBuffer buf, int offset, int length, FlowRecord flow, Decapsulation decap) {
        int end = end(buf, offset, length);
        if (end < 0) return 0;
        return ethernet(buf, offset, end, flow, decap, true);
    }

    /** Parses a raw IPv4 or IPv6 packet (by its version nibble); returns its L3 length, 0 if not IP. */
    public static int parseIp(ByteBuffer buf, int offset, int length, FlowRecord flow) {
        return parseIp(buf, offset, length, flow, Decapsulation.NONE);
    }

    /** As {@link #parseIp(ByteBuffer, int, int, FlowRecord)}, looking through {@code decap}. */
    public static int parseIp(ByteBuffer buf, int offset, int length, FlowRecord flow, Decapsulation decap) {
        int end = end(buf, offset, length);
        if (end < 0) return 0;
        return ip(buf, offset, end, flow, decap);
    }

    private static int end(ByteBuffer buf, int offset, int length) {
        if (offset < 0 || length <= 0 || offset >= buf.limit()) return -1;
        return (int) Math.min((long) offset + length, buf.limit());
    }

    private static int ethernet(ByteBuffer b, int p, int end, FlowRecord flow, Decapsulation decap, boolean macs) {
        if (end - p < 14) return 0;
        if (macs) {
            flow.dstMac = mac(b, p);
            flow.srcMac = mac(b, p + 6);
        }
        int etype = u16(b, p + 12);
        p += 14;
        for (int tags = 0; isVlanTag(etype); tags++) {
            if (tags == MAX_VLAN_TAGS || end - p < 4) return 0;
            flow.vlanId = u16(b, p) & 0x0FFF;
            etype = u16(b, p + 2);
            p += 4;
        }
        flow.etype = etype;
        switch (etype) {
            case ETYPE_IPV4, ETYPE_IPV6:
                return ip(b, p, end, flow, decap);
            case ETYPE_MPLS, ETYPE_MPLS_MULTICAST:
                return mpls(b, p, end, flow, decap);
            default:
                return 0; // ARP, LLDP, ...: the L2 fields are all there is
        }
    }

    private static boolean isVlanTag(int etype) {
        return etype == ETYPE_VLAN || etype == ETYPE_QINQ || etype == ETYPE_QINQ_LEGACY;
    }

    /**
     * Label stack entries up to bottom of stack, then what MPLS does not announce: the first nibble
     * says IPv4 (4) or IPv6 (6); 0 is the pseudowire control word (RFC 4385) of Ethernet over MPLS,
     * followed by the customer's Ethernet frame. Anything else is not parsed (0 returned).
     */
    private static int mpls(ByteBuffer b, int p, int end, FlowRecord flow, Decapsulation decap) {
        for (int i = 0; i < MAX_MPLS_LABELS; i++) {
            if (end - p < 4) return 0;
            int entry = b.getInt(p);
            p += 4;
            flow.addMpls(entry >>> 12, entry & 0xFF);
            if ((entry & 0x100) != 0) return underMpls(b, p, end, flow, decap);
        }
        return 0; // no bottom of stack within the bound: do not guess what follows
    }

    private static int underMpls(ByteBuffer b, int p, int end, FlowRecord flow, Decapsulation decap) {
        if (p >= end) return 0;
        switch ((b.get(p) & 0xFF) >>> 4) {
            case 4, 6:
                return ip(b, p, end, flow, decap);
            case 0:
                // Control word. Only the all-zero word is accepted: devices send sequence number 0
                // (sequencing off), and a non-zero word here is more likely something we would
                // misparse than a sequenced pseudowire. The outer MACs are the ones kept.
                if (end - p < 4 || b.getInt(p) != 0) return 0;
                return ethernet(b, p + 4, end, flow, decap, false);
            default:
                return 0;
        }
    }

    private static int ip(ByteBuffer b, int p, int end, FlowRecord flow, Decapsulation decap) {
        if (p >= end) return 0;
        int version = (b.get(p) & 0xFF) >>> 4;
        if (version == 4) return ipv4(b, p, end, flow, decap);
        if (version == 6) return ipv6(b, p, end, flow, decap);
        return 0;
    }

    private static int ipv4(ByteBuffer b, int p, int end, FlowRecord flow, Decapsulation decap) {
        int headerLength = (b.get(p) & 0x0F) * 4;
        if (end - p < 20 || headerLength < 20) return 0;
        flow.etype = ETYPE_IPV4;
        flow.ipTos = b.get(p + 1) & 0xFF;
        int totalLength = u16(b, p + 2);
        flow.fragmentId = u16(b, p + 4);
        int flagsAndOffset = u16(b, p + 6);
        flow.ipFlags = flagsAndOffset >>> 13;
        flow.fragmentOffset = flagsAndOffset & 0x1FFF;
        flow.ipTtl = b.get(p + 8) & 0xFF;
        int proto = b.get(p + 9) & 0xFF;
        flow.proto = proto;
        flow.srcAddr.set(b, p + 12, 4);
        flow.dstAddr.set(b, p + 16, 4);
        if (flow.fragmentOffset != 0) return totalLength; // no L4 header in later fragments
        int inner = upper(b, p + headerLength, end, flow, decap, proto, false);
        return inner > 0 ? inner : totalLength;
    }

    private static int ipv6(ByteBuffer b, int p, int end, FlowRecord flow, Decapsulation decap) {
        if (end - p < 40) return 0;
        flow.etype = ETYPE_IPV6;
        int first = b.getInt(p);
        flow.ipTos = (first >>> 20) & 0xFF;
        flow.ipv6FlowLabel = first & 0xFFFFF;
        int l3Length = u16(b, p + 4) + 40;
        int next = b.get(p + 6) & 0xFF;
        flow.ipTtl = b.get(p + 7) & 0xFF;
        flow.srcAddr.set(b, p + 8, 16);
        flow.dstAddr.set(b, p + 24, 16);
        int q = p + 40;
        boolean segmentRouting = false;
        for (int i = 0; i < MAX_IPV6_EXTENSION_HEADERS && isExtensionHeader(next); i++) {
            if (end - q < 8) {
                flow.proto = next; // the header is cut: what it leads to is unknown
                return l3Length;
            }
            int following = b.get(q) & 0xFF;
            int length;
            if (next == 44) { // fragment header: fixed 8 bytes
                int offsetAndFlags = u16(b, q + 2);
                flow.fragmentOffset = offsetAndFlags >>> 3;
                flow.ipFlags = offsetAndFlags & 0x7;
                flow.fragmentId = b.getInt(q + 4) & 0xFFFFFFFFL;
                length = 8;
            } else if (next == 51) { // authentication header counts 4-byte words, minus 2
                length = ((b.get(q + 1) & 0xFF) + 2) * 4;
            } else {
                if (next == 43 && (b.get(q + 2) & 0xFF) == 4) segmentRouting = true;
                length = ((b.get(q + 1) & 0xFF) + 1) * 8;
            }
            next = following;
            q += length;
        }
        flow.proto = next;
        if (flow.fragmentOffset != 0) return l3Length;
        // SRv6 reduced encapsulation (RFC 8986 H.Encaps.Red) omits the segment routing header when one
        // segment is left: with SRV6 asked, IPv6 directly carrying IPv4/IPv6 is that tunnel too (a Juniper
        // IPFIX data-link section does this: akvorado/netflow/ipfix-srv6-data).
        boolean srv6 = segmentRouting || decap == Decapsulation.SRV6;
        int inner = upper(b, q, end, flow, decap, next, srv6);
        return inner > 0 ? inner : l3Length;
    }

    private static boolean isExtensionHeader(int next) {
        // hop-by-hop, routing, fragment, authentication, destination options, mobility
        return next == 0 || next == 43 || next == 44 || next == 51 || next == 60 || next == 135;
    }

    /**
     * The transport header, or the tunnel to look through. Returns the inner packet's L3 length when
     * it decapsulated, else 0.
     */
    private static int upper(ByteBuffer b, int p, int end, FlowRecord flow, Decapsulation decap, int proto,
            boolean segmentRouting) {
        if (p < 0 || p >= end) return 0;
        switch (proto) {
            case PROTO_TCP:
                if (end - p >= 4) {
                    flow.srcPort = u16(b, p);
                    flow.dstPort = u16(b, p + 2);
                }
                if (end - p >= 14) flow.tcpFlags = b.get(p + 13) & 0xFF;
                return 0;
            case PROTO_UDP:
                if (end - p >= 4) {
                    flow.srcPort = u16(b, p);
                    flow.dstPort = u16(b, p + 2);
                }
                if (decap == Decapsulation.VXLAN && flow.dstPort == VXLAN_PORT && end - p >= 8 + 8 + 14) {
                    clearNetworkFields(flow);
                    return ethernet(b, p + 16, end, flow, Decapsulation.NONE, true);
                }
                return 0;
            case PROTO_ICMP, PROTO_ICMPV6:
                if (end - p >= 2) {
                    flow.icmpType = b.get(p) & 0xFF;
                    flow.icmpCode = b.get(p + 1) & 0xFF;
                }
                return 0;
            case PROTO_GRE:
                return decap == Decapsulation.GRE ? gre(b, p, end, flow) : 0;
            case PROTO_IPIP, PROTO_IPV6:
                if (decap == Decapsulation.IPIP || (decap == Decapsulation.SRV6 && segmentRouting)) {
                    return innerIp(b, p, end, flow);
                }
                return 0;
            default:
                return 0;
        }
    }

    /** GRE (RFC 2784 / 2890): optional checksum, key and sequence words, then the payload type. */
    private static int gre(ByteBuffer b, int p, int end, FlowRecord flow) {
        if (end - p < 4) return 0;
        int flags = u16(b, p);
        if ((flags & 0x7) != 0) return 0; // version 1 is PPTP's enhanced GRE: not a tunnel we report
        int type = u16(b, p + 2);
        int q = p + 4;
        if ((flags & 0x8000) != 0) q += 4; // checksum + reserved
        if ((flags & 0x2000) != 0) q += 4; // key
        if ((flags & 0x1000) != 0) q += 4; // sequence number
        if (type == ETYPE_IPV4 || type == ETYPE_IPV6) return innerIp(b, q, end, flow);
        if (type == ETYPE_TRANSPARENT_BRIDGING && end - q >= 14) {
            clearNetworkFields(flow);
            return ethernet(b, q, end, flow, Decapsulation.NONE, true);
        }
        return 0;
    }

    /** Reports the tunnelled IP packet instead of the outer one, if a whole IP header is there. */
    private static int innerIp(ByteBuffer b, int p, int end, FlowRecord flow) {
        if (p >= end) return 0;
        int version = (b.get(p) & 0xFF) >>> 4;
        if (!(version == 4 && end - p >= 20) && !(version == 6 && end - p >= 40)) return 0;
        clearNetworkFields(flow);
        return ip(b, p, end, flow, Decapsulation.NONE);
    }

    /** Forgets the outer packet's L3/L4 fields before the inner packet's are written. */
    private static void clearNetworkFields(FlowRecord flow) {
        flow.srcAddr.clear();
        flow.dstAddr.clear();
        flow.proto = 0;
        flow.srcPort = 0;
        flow.dstPort = 0;
        flow.tcpFlags = 0;
        flow.icmpType = 0;
        flow.icmpCode = 0;
        flow.ipTos = 0;
        flow.ipTtl = 0;
        flow.ipFlags = 0;
        flow.ipv6FlowLabel = 0;
        flow.fragmentId = 0;
        flow.fragmentOffset = 0;
    }

    private static int u16(ByteBuffer b, int p) {
        return b.getShort(p) & 0xFFFF;
    }

    private static long mac(ByteBuffer b, int p) {
        return ((long) u16(b, p) << 32) | (b.getInt(p + 2) & 0xFFFFFFFFL);
    }
}

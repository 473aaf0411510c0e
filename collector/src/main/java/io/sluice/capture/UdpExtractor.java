package io.sluice.capture;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Frame → UDP datagram: the link layer ({@link LinkLayer}), IPv4 or IPv6 (extension headers walked,
 * fragments reassembled by {@link FragmentReassembler}), then UDP. Everything that is not a UDP datagram
 * to a selected port is counted in {@link CaptureStats} and skipped.
 */
final class UdpExtractor {
    private static final int UDP = 17;
    private static final int V6_HOP_BY_HOP = 0;
    private static final int V6_ROUTING = 43;
    private static final int V6_FRAGMENT = 44;
    private static final int V6_AUTH = 51;
    private static final int V6_DEST_OPTIONS = 60;
    /** Most extension headers walked before giving up on a packet (a hostile chain cannot loop long). */
    private static final int MAX_EXTENSION_HEADERS = 16;

    private final CaptureStats stats;
    private final FragmentReassembler fragments;
    /** Destination ports to keep; null keeps all. */
    private final BitSet ports;

    UdpExtractor(CaptureStats stats, BitSet ports) {
        this.stats = stats;
        this.fragments = new FragmentReassembler(stats);
        this.ports = ports;
    }

    int pendingFragmented() {
        return fragments.pending();
    }

    /** The UDP datagram that this frame is, or completes; null when it is skipped or awaits more fragments. */
    CapturedDatagram extract(CapturedFrame frame) {
        stats.frames++;
        byte[] f = frame.data;
        int ip = LinkLayer.ipOffset(frame.linkType, f, frame.length);
        if (ip == LinkLayer.UNSUPPORTED) {
            stats.unsupportedLinkType++;
            stats.lastUnsupportedLinkType = frame.linkType;
            return null;
        }
        if (ip == LinkLayer.TRUNCATED) return truncated();
        if (ip < 0 || ip >= frame.length) return ip < 0 ? notUdp() : truncated();
        return switch ((f[ip] & 0xff) >>> 4) {
            case 4 -> ipv4(frame, ip);
            case 6 -> ipv6(frame, ip);
            default -> notUdp();
        };
    }

    private CapturedDatagram ipv4(CapturedFrame frame, int ip) {
        byte[] f = frame.data;
        if (ip + 20 > frame.length) return truncated();
        int ihl = (f[ip] & 0x0f) * 4;
        int totalLength = LinkLayer.u16(f, ip + 2);
        if (ihl < 20 || totalLength < ihl) return truncated();
        // The IP length, not the frame, bounds the packet: Ethernet pads short frames to 60 bytes.
        int end = ip + totalLength;
        if (end > frame.length) return truncated();
        int protocol = f[ip + 9] & 0xff;
        if (protocol != UDP) return notUdp();
        byte[] source = Arrays.copyOfRange(f, ip + 12, ip + 16);
        int flagsOffset = LinkLayer.u16(f, ip + 6);
        boolean more = (flagsOffset & 0x2000) != 0;
        int fragmentOffset = (flagsOffset & 0x1fff) * 8;
        if (!more && fragmentOffset == 0) return udp(f, ip + ihl, end, source, frame.timestampNanos);
        FragmentReassembler.Partial whole = fragments.add(FragmentKey.ipv4(f, ip, protocol), f, ip + ihl, end - ip - ihl,
                fragmentOffset, more, protocol, source, frame.timestampNanos);
        return whole == null ? null : udp(whole.data, 0, whole.total, whole.sourceAddress, frame.timestampNanos);
    }

    private CapturedDatagram ipv6(CapturedFrame frame, int ip) {
        byte[] f = frame.data;
        if (ip + 40 > frame.length) return truncated();
        int payloadLength = LinkLayer.u16(f, ip + 4);
        if (payloadLength == 0) return notUdp(); // jumbogram (RFC 2675): no flow exporter sends one
        int end = ip + 40 + payloadLength;
        if (end > frame.length) return truncated();
        byte[] source = Arrays.copyOfRange(f, ip + 8, ip + 24);
        int next = f[ip + 6] & 0xff;
        int off = ip + 40;
        for (int i = 0; i < MAX_EXTENSION_HEADERS; i++) {
            switch (next) {
                case UDP -> {
                    return udp(f, off, end, source, frame.timestampNanos);
                }
                case V6_HOP_BY_HOP, V6_ROUTING, V6_DEST_OPTIONS -> {
                    if (off + 8 > end) return truncated();
                    next = f[off] & 0xff;
                    off += ((f[off + 1] & 0xff) + 1) * 8;
                }
                case V6_AUTH -> {
                    if (off + 8 > end) return truncated();
                    next = f[off] & 0xff;
                    off += ((f[off + 1] & 0xff) + 2) * 4;
                }
                case V6_FRAGMENT -> {
                    if (off + 8 > end) return truncated();
                    int fragmentNext = f[off] & 0xff;
                    int offsetFlags = LinkLayer.u16(f, off + 2);
                    long id = LinkLayer.u32(f, off + 4) & 0xffffffffL;
                    boolean more = (offsetFlags & 1) != 0;
                    int fragmentOffset = (offsetFlags >>> 3) * 8;
                    if (!more && fragmentOffset == 0) { // an atomic fragment (RFC 6946): not fragmented at all
                        next = fragmentNext;
                        off += 8;
                        continue;
                    }
                    FragmentReassembler.Partial whole = fragments.add(FragmentKey.ipv6(f, ip, id), f, off + 8, end - off - 8,
                            fragmentOffset, more, fragmentNext, source, frame.timestampNanos);
                    return whole == null ? null : afterReassembly(whole, frame.timestampNanos);
                }
                default -> {
                    return notUdp();
                }
            }
            if (off > end) return truncated();
        }
        return notUdp();
    }

    /** The fragmentable part of an IPv6 datagram may still hold destination options before UDP. */
    private CapturedDatagram afterReassembly(FragmentReassembler.Partial whole, long ts) {
        int next = whole.nextHeader;
        int off = 0;
        byte[] d = whole.data;
        for (int i = 0; i < MAX_EXTENSION_HEADERS && next != UDP; i++) {
            if (next != V6_DEST_OPTIONS && next != V6_ROUTING && next != V6_HOP_BY_HOP) return notUdp();
            if (off + 8 > whole.total) return truncated();
            next = d[off] & 0xff;
            off += ((d[off + 1] & 0xff) + 1) * 8;
        }
        if (next != UDP) return notUdp();
        return udp(d, off, whole.total, whole.sourceAddress, ts);
    }

    private CapturedDatagram udp(byte[] p, int udp, int end, byte[] source, long ts) {
        if (udp + 8 > end) return truncated();
        int sourcePort = LinkLayer.u16(p, udp);
        int destinationPort = LinkLayer.u16(p, udp + 2);
        int udpLength = LinkLayer.u16(p, udp + 4);
        if (udpLength < 8 || udp + udpLength > end) {
            // A UDP length beyond its IP packet: the socket would not deliver it. (IPv6 jumbo UDP length 0
            // never reaches here: jumbograms are skipped above.)
            return truncated();
        }
        if (ports != null && !ports.get(destinationPort)) {
            stats.otherPort++;
            return null;
        }
        stats.datagrams++;
        // What a socket delivers is bounded by the UDP length, not by the IP packet.
        return new CapturedDatagram(source, sourcePort, destinationPort, ts, Arrays.copyOfRange(p, udp + 8, udp + udpLength));
    }

    private CapturedDatagram truncated() {
        stats.truncated++;
        return null;
    }

    private CapturedDatagram notUdp() {
        stats.notUdp++;
        return null;
    }
}

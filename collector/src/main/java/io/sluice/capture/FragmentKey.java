package io.sluice.capture;

/**
 * What identifies the fragments of one datagram: for IPv4 source, destination, protocol and the 16-bit
 * identification (RFC 791); for IPv6 source, destination and the 32-bit identification (RFC 8200 4.5).
 * Addresses are packed into longs so the key is a plain value.
 */
record FragmentKey(int version, long source0, long source1, long destination0, long destination1, long id) {
    static FragmentKey ipv4(byte[] p, int ip, int protocol) {
        return new FragmentKey(4, LinkLayer.u32(p, ip + 12) & 0xffffffffL, 0, LinkLayer.u32(p, ip + 16) & 0xffffffffL, 0,
                ((long) protocol << 16) | LinkLayer.u16(p, ip + 4));
    }

    static FragmentKey ipv6(byte[] p, int ip, long id) {
        return new FragmentKey(6, u64(p, ip + 8), u64(p, ip + 16), u64(p, ip + 24), u64(p, ip + 32), id);
    }

    private static long u64(byte[] p, int off) {
        return ((LinkLayer.u32(p, off) & 0xffffffffL) << 32) | (LinkLayer.u32(p, off + 4) & 0xffffffffL);
    }
}

package io.sluice.decode.packet;

/**
 * Which tunnel the sampled-header parser looks through. With {@link #NONE} the outermost IP packet is
 * reported (a GRE or VXLAN packet shows as its outer addresses, protocol 47 or UDP 4789); with a mode
 * set, the parser reports the packet inside that tunnel when it finds one and the outer packet when it
 * does not (the flow is kept either way: an operator who sets decapsulation for one exporter should
 * not lose that exporter's plain traffic).
 */
public enum Decapsulation {
    NONE,
    /** GRE (IP protocol 47) carrying IPv4, IPv6 or Ethernet (transparent bridging, 0x6558). */
    GRE,
    /** IPv4 or IPv6 inside IP (protocols 4 and 41). */
    IPIP,
    /** SRv6: an IPv6 packet with a segment routing header (routing type 4) carrying IPv4 or IPv6. */
    SRV6,
    /** VXLAN: UDP to port 4789, 8-byte VXLAN header, then an Ethernet frame. */
    VXLAN
}

package io.sluice.flow;

/**
 * The names goflow2's JSON formatter prints for etype, proto and src_net/dst_net (its render rules,
 * read in goflow2's producer/proto/render.go): etypes ARP/IPv4/IPv6 else "", protocols by IANA
 * keyword (assigned numbers 0-145, "unassigned" 146-252, "experimental" 253-254, "reserved" 255),
 * prefixes as the masked address in CIDR form, "invalid Prefix" when there is no address to mask.
 */
final class Goflow2Names {
    /** IANA "Assigned Internet Protocol Numbers", keyword column, 0..145 (unnamed entries hyphenated). */
    private static final String[] PROTOCOLS = {
            "HOPOPT", "ICMP", "IGMP", "GGP", "IPv4", "ST", "TCP", "CBT",
            "EGP", "IGP", "BBN-RCC-MON", "NVP-II", "PUP", "ARGUS", "EMCON", "XNET",
            "CHAOS", "UDP", "MUX", "DCN-MEAS", "HMP", "PRM", "XNS-IDP", "TRUNK-1",
            "TRUNK-2", "LEAF-1", "LEAF-2", "RDP", "IRTP", "ISO-TP4", "NETBLT", "MFE-NSP",
            "MERIT-INP", "DCCP", "3PC", "IDPR", "XTP", "DDP", "IDPR-CMTP", "TP++",
            "IL", "IPv6", "SDRP", "IPv6-Route", "IPv6-Frag", "IDRP", "RSVP", "GRE",
            "DSR", "BNA", "ESP", "AH", "I-NLSP", "SWIPE", "NARP", "Min-IPv4",
            "TLSP", "SKIP", "IPv6-ICMP", "IPv6-NoNxt", "IPv6-Opts", "any-host-internal-protocol", "CFTP", "any-local-network",
            "SAT-EXPAK", "KRYPTOLAN", "RVD", "IPPC", "any-distributed-file-system", "SAT-MON", "VISA", "IPCV",
            "CPNX", "CPHB", "WSN", "PVP", "BR-SAT-MON", "SUN-ND", "WB-MON", "WB-EXPAK",
            "ISO-IP", "VMTP", "SECURE-VMTP", "VINES", "TTP", "NSFNET-IGP", "DGP", "TCF",
            "EIGRP", "OSPFIGP", "Sprite-RPC", "LARP", "MTP", "AX.25", "IPIP", "MICP",
            "SCC-SP", "ETHERIP", "ENCAP", "any-private-encryption-scheme", "GMTP", "IFMP", "PNNI", "PIM",
            "ARIS", "SCPS", "QNX", "A/N", "IPComp", "SNP", "Compaq-Peer", "IPX-in-IP",
            "VRRP", "PGM", "any-0-hop-protocol", "L2TP", "DDX", "IATP", "STP", "SRP",
            "UTI", "SMP", "SM", "PTP", "ISIS-over-IPv4", "FIRE", "CRTP", "CRUDP",
            "SSCOPMCE", "IPLT", "SPS", "PIPE", "SCTP", "FC", "RSVP-E2E-IGNORE", "Mobility-Header",
            "UDPLite", "MPLS-in-IP", "manet", "HIP", "Shim6", "WESP", "ROHC", "Ethernet",
            "AGGFRAG", "NSH",
    };

    private Goflow2Names() {}

    static String etype(int etype) {
        return switch (etype) {
            case 0x0800 -> "IPv4";
            case 0x86DD -> "IPv6";
            case 0x0806 -> "ARP";
            default -> "";
        };
    }

    static String proto(int proto) {
        if (proto >= 0 && proto < PROTOCOLS.length) return PROTOCOLS[proto];
        if (proto >= 146 && proto <= 252) return "unassigned";
        if (proto == 253 || proto == 254) return "experimental";
        if (proto == 255) return "reserved";
        return "unknown";
    }

    /** The address masked to {@code bits}, as "a.b.c.0/24"; "invalid Prefix" without an address or with too many bits. */
    static String prefix(FlowRecord.Address a, int bits) {
        if (!a.isSet() || bits < 0 || bits > a.length * 8) return "invalid Prefix";
        byte[] masked = new byte[a.length];
        for (int i = 0; i < a.length; i++) {
            int keep = Math.clamp(bits - i * 8, 0, 8);
            masked[i] = (byte) (a.bytes[i] & (0xFF00 >>> keep));
        }
        return AddressFormat.format(masked, masked.length) + "/" + bits;
    }
}

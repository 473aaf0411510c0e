package io.sluice.decode.netflow;

/**
 * What the record decoder does with a template field, resolved once per template field (from the IANA
 * IPFIX information element registry, named in {@link Ie}) so the per-record loop is a single switch on
 * a small int. The comments give the element ids each kind takes.
 */
final class FieldKind {
    static final int SKIP = 0;
    static final int OCTETS = 1;             // 1 octetDeltaCount
    static final int PACKETS = 2;            // 2 packetDeltaCount
    static final int OCTETS_TOTAL = 3;       // 85 octetTotalCount
    static final int PACKETS_TOTAL = 4;      // 86 packetTotalCount
    static final int POST_OCTETS = 5;        // 23 postOctetDeltaCount (v9 OUT_BYTES)
    static final int POST_PACKETS = 6;       // 24 postPacketDeltaCount (v9 OUT_PKTS)
    static final int PROTO = 7;              // 4
    static final int TOS = 8;                // 5
    static final int TCP_FLAGS = 9;          // 6
    static final int SRC_PORT = 10;          // 7
    static final int DST_PORT = 11;          // 11
    static final int SRC_ADDR = 12;          // 8, 27
    static final int DST_ADDR = 13;          // 12, 28
    static final int SRC_MASK = 14;          // 9, 29
    static final int DST_MASK = 15;          // 13, 30
    static final int IN_IF = 16;             // 10
    static final int OUT_IF = 17;            // 14
    static final int IN_PHYS_IF = 18;        // 252
    static final int OUT_PHYS_IF = 19;       // 253
    static final int SRC_AS = 20;            // 16
    static final int DST_AS = 21;            // 17
    static final int NEXT_HOP = 22;          // 15, 62
    static final int BGP_NEXT_HOP = 23;      // 18, 63
    static final int SRC_VLAN = 24;          // 58 vlanId
    static final int DST_VLAN = 25;          // 59 postVlanId
    static final int DOT1Q_VLAN = 26;        // 243
    static final int POST_DOT1Q_VLAN = 27;   // 254
    static final int SRC_MAC = 28;           // 56
    static final int DST_MAC = 29;           // 80
    static final int POST_DST_MAC = 30;      // 57
    static final int POST_SRC_MAC = 31;      // 81
    static final int DIRECTION = 32;         // 61
    static final int FORWARDING_STATUS = 33; // 89
    static final int ICMP_TYPE_CODE = 34;    // 32, 139
    static final int ICMP_TYPE = 35;         // 176, 178
    static final int ICMP_CODE = 36;         // 177, 179
    static final int FRAGMENT_ID = 37;       // 54
    static final int FRAGMENT_OFFSET = 38;   // 88
    static final int FLOW_LABEL = 39;        // 31
    static final int MPLS_LABEL = 40;        // 70..79 (position = element id - 70)
    static final int INGRESS_VRF = 41;       // 234
    static final int EGRESS_VRF = 42;        // 235
    static final int START_UPTIME = 43;      // 22 flowStartSysUpTime (v9 FIRST_SWITCHED)
    static final int END_UPTIME = 44;        // 21 flowEndSysUpTime (v9 LAST_SWITCHED)
    static final int START_SECONDS = 45;     // 150
    static final int END_SECONDS = 46;       // 151
    static final int START_MILLIS = 47;      // 152
    static final int END_MILLIS = 48;        // 153
    static final int START_NTP = 49;         // 156 flowStartNanoseconds: NTP timestamp format
    static final int END_NTP = 50;           // 157
    static final int START_DELTA_MICROS = 51; // 158
    static final int END_DELTA_MICROS = 52;   // 159
    static final int OBSERVATION_POINT = 53; // 138
    static final int OBSERVATION_DOMAIN = 54; // 149
    static final int FRAME_SECTION = 55;     // 315 dataLinkFrameSection
    static final int TTL = 56;               // 192 ipTTL
    static final int MIN_TTL = 57;           // 52 minimumTTL (used when 192 is absent)
    static final int IP_VERSION = 58;        // 60
    static final int SAMPLING_INTERVAL = 59; // 34 samplingInterval, 50 samplerRandomInterval
    static final int SAMPLER_ID = 60;        // 48 samplerId, 302 selectorId
    static final int PACKET_INTERVAL = 61;   // 305 samplingPacketInterval
    static final int PACKET_SPACE = 62;      // 306 samplingPacketSpace
    static final int SAMPLING_SIZE = 63;     // 309 samplingSize
    static final int SAMPLING_POPULATION = 64; // 310 samplingPopulation
    static final int REVERSE_OCTETS = 65;    // RFC 5103 reverse octetDeltaCount (PEN 29305, IE 1)
    static final int REVERSE_PACKETS = 66;   // reverse packetDeltaCount (PEN 29305, IE 2)
    static final int REVERSE_TCP_FLAGS = 67; // reverse tcpControlBits (PEN 29305, IE 6)
    static final int SYSTEM_INIT_MILLIS = 68; // 160 systemInitTimeMilliseconds (IPFIX base for 21/22)
    static final int JUNIPER_CPID = 69;      // Juniper (PEN 2636) commonPropertiesId 137: forwarding exception
    static final int START_NTP_MICROS = 70;  // 154 flowStartMicroseconds (NTP format, low 11 bits unused)
    static final int END_NTP_MICROS = 71;    // 155
    static final int MPLS_TOP_ADDRESS = 72;  // 47 mplsTopLabelIPv4Address, 140 mplsTopLabelIPv6Address

    static final long PEN_REVERSE = Ie.PEN_REVERSE;
    static final long PEN_JUNIPER = Ie.PEN_JUNIPER;

    private FieldKind() {}

    /** The kind of information element {@code id} of enterprise {@code enterprise} (0 = IANA). */
    static int of(long enterprise, int id) {
        if (enterprise == PEN_REVERSE) {
            return switch (id) {
                case Ie.OCTET_DELTA_COUNT -> REVERSE_OCTETS;
                case Ie.PACKET_DELTA_COUNT -> REVERSE_PACKETS;
                case Ie.TCP_CONTROL_BITS -> REVERSE_TCP_FLAGS;
                default -> SKIP;
            };
        }
        if (enterprise == PEN_JUNIPER) return id == Ie.JUNIPER_COMMON_PROPERTIES_ID ? JUNIPER_CPID : SKIP;
        if (enterprise != 0) return SKIP; // kept in the template by number, skipped by length
        if (id >= Ie.MPLS_TOP_LABEL_STACK_SECTION && id <= Ie.MPLS_LABEL_STACK_SECTION_10) return MPLS_LABEL;
        return switch (id) {
            case Ie.OCTET_DELTA_COUNT -> OCTETS;
            case Ie.PACKET_DELTA_COUNT -> PACKETS;
            case Ie.OCTET_TOTAL_COUNT -> OCTETS_TOTAL;
            case Ie.PACKET_TOTAL_COUNT -> PACKETS_TOTAL;
            case Ie.POST_OCTET_DELTA_COUNT -> POST_OCTETS;
            case Ie.POST_PACKET_DELTA_COUNT -> POST_PACKETS;
            case Ie.PROTOCOL_IDENTIFIER -> PROTO;
            case Ie.IP_CLASS_OF_SERVICE -> TOS;
            case Ie.TCP_CONTROL_BITS -> TCP_FLAGS;
            case Ie.SOURCE_TRANSPORT_PORT -> SRC_PORT;
            case Ie.DESTINATION_TRANSPORT_PORT -> DST_PORT;
            case Ie.SOURCE_IPV4_ADDRESS, Ie.SOURCE_IPV6_ADDRESS -> SRC_ADDR;
            case Ie.DESTINATION_IPV4_ADDRESS, Ie.DESTINATION_IPV6_ADDRESS -> DST_ADDR;
            case Ie.SOURCE_IPV4_PREFIX_LENGTH, Ie.SOURCE_IPV6_PREFIX_LENGTH -> SRC_MASK;
            case Ie.DESTINATION_IPV4_PREFIX_LENGTH, Ie.DESTINATION_IPV6_PREFIX_LENGTH -> DST_MASK;
            case Ie.INGRESS_INTERFACE -> IN_IF;
            case Ie.EGRESS_INTERFACE -> OUT_IF;
            case Ie.INGRESS_PHYSICAL_INTERFACE -> IN_PHYS_IF;
            case Ie.EGRESS_PHYSICAL_INTERFACE -> OUT_PHYS_IF;
            case Ie.BGP_SOURCE_AS_NUMBER -> SRC_AS;
            case Ie.BGP_DESTINATION_AS_NUMBER -> DST_AS;
            case Ie.IP_NEXT_HOP_IPV4_ADDRESS, Ie.IP_NEXT_HOP_IPV6_ADDRESS -> NEXT_HOP;
            case Ie.BGP_NEXT_HOP_IPV4_ADDRESS, Ie.BGP_NEXT_HOP_IPV6_ADDRESS -> BGP_NEXT_HOP;
            case Ie.VLAN_ID -> SRC_VLAN;
            case Ie.POST_VLAN_ID -> DST_VLAN;
            case Ie.DOT1Q_VLAN_ID -> DOT1Q_VLAN;
            case Ie.POST_DOT1Q_VLAN_ID -> POST_DOT1Q_VLAN;
            case Ie.SOURCE_MAC_ADDRESS -> SRC_MAC;
            case Ie.DESTINATION_MAC_ADDRESS -> DST_MAC;
            case Ie.POST_DESTINATION_MAC_ADDRESS -> POST_DST_MAC;
            case Ie.POST_SOURCE_MAC_ADDRESS -> POST_SRC_MAC;
            case Ie.FLOW_DIRECTION -> DIRECTION;
            case Ie.FORWARDING_STATUS -> FORWARDING_STATUS;
            case Ie.ICMP_TYPE_CODE_IPV4, Ie.ICMP_TYPE_CODE_IPV6 -> ICMP_TYPE_CODE;
            case Ie.ICMP_TYPE_IPV4, Ie.ICMP_TYPE_IPV6 -> ICMP_TYPE;
            case Ie.ICMP_CODE_IPV4, Ie.ICMP_CODE_IPV6 -> ICMP_CODE;
            case Ie.FRAGMENT_IDENTIFICATION -> FRAGMENT_ID;
            case Ie.FRAGMENT_OFFSET -> FRAGMENT_OFFSET;
            case Ie.FLOW_LABEL_IPV6 -> FLOW_LABEL;
            case Ie.MPLS_TOP_LABEL_IPV4_ADDRESS, Ie.MPLS_TOP_LABEL_IPV6_ADDRESS -> MPLS_TOP_ADDRESS;
            case Ie.INGRESS_VRF_ID -> INGRESS_VRF;
            case Ie.EGRESS_VRF_ID -> EGRESS_VRF;
            case Ie.FLOW_START_SYS_UP_TIME -> START_UPTIME;
            case Ie.FLOW_END_SYS_UP_TIME -> END_UPTIME;
            case Ie.FLOW_START_SECONDS -> START_SECONDS;
            case Ie.FLOW_END_SECONDS -> END_SECONDS;
            case Ie.FLOW_START_MILLISECONDS -> START_MILLIS;
            case Ie.FLOW_END_MILLISECONDS -> END_MILLIS;
            case Ie.FLOW_START_MICROSECONDS -> START_NTP_MICROS;
            case Ie.FLOW_END_MICROSECONDS -> END_NTP_MICROS;
            case Ie.FLOW_START_NANOSECONDS -> START_NTP;
            case Ie.FLOW_END_NANOSECONDS -> END_NTP;
            case Ie.FLOW_START_DELTA_MICROSECONDS -> START_DELTA_MICROS;
            case Ie.FLOW_END_DELTA_MICROSECONDS -> END_DELTA_MICROS;
            case Ie.OBSERVATION_POINT_ID -> OBSERVATION_POINT;
            case Ie.OBSERVATION_DOMAIN_ID -> OBSERVATION_DOMAIN;
            case Ie.DATA_LINK_FRAME_SECTION -> FRAME_SECTION;
            case Ie.IP_TTL -> TTL;
            case Ie.MINIMUM_TTL -> MIN_TTL;
            case Ie.IP_VERSION -> IP_VERSION;
            case Ie.SAMPLING_INTERVAL, Ie.SAMPLER_RANDOM_INTERVAL -> SAMPLING_INTERVAL;
            case Ie.SAMPLER_ID, Ie.SELECTOR_ID -> SAMPLER_ID;
            case Ie.SAMPLING_PACKET_INTERVAL -> PACKET_INTERVAL;
            case Ie.SAMPLING_PACKET_SPACE -> PACKET_SPACE;
            case Ie.SAMPLING_SIZE -> SAMPLING_SIZE;
            case Ie.SAMPLING_POPULATION -> SAMPLING_POPULATION;
            case Ie.SYSTEM_INIT_TIME_MILLISECONDS -> SYSTEM_INIT_MILLIS;
            default -> SKIP;
        };
    }
}

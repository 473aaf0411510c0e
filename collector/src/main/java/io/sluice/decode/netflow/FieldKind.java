package io.sluice.decode.netflow;

/**
 * What the record decoder does with a template field, resolved once per template field (from the IANA
 * IPFIX information element registry, whose ids 1-127 are also NetFlow v9's field types) so the
 * per-record loop is a single switch on a small int.
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

    /** RFC 5103 reverse information elements' private enterprise number. */
    static final long PEN_REVERSE = 29305;
    /** Juniper Networks' private enterprise number. */
    static final long PEN_JUNIPER = 2636;

    private FieldKind() {}

    /** The kind of information element {@code id} of enterprise {@code enterprise} (0 = IANA). */
    static int of(long enterprise, int id) {
        if (enterprise == PEN_REVERSE) {
            return switch (id) {
                case 1 -> REVERSE_OCTETS;
                case 2 -> REVERSE_PACKETS;
                case 6 -> REVERSE_TCP_FLAGS;
                default -> SKIP;
            };
        }
        if (enterprise == PEN_JUNIPER) return id == 137 ? JUNIPER_CPID : SKIP;
        if (enterprise != 0) return SKIP; // kept in the template by number, skipped by length
        return switch (id) {
            case 1 -> OCTETS;
            case 2 -> PACKETS;
            case 85 -> OCTETS_TOTAL;
            case 86 -> PACKETS_TOTAL;
            case 23 -> POST_OCTETS;
            case 24 -> POST_PACKETS;
            case 4 -> PROTO;
            case 5 -> TOS;
            case 6 -> TCP_FLAGS;
            case 7 -> SRC_PORT;
            case 11 -> DST_PORT;
            case 8, 27 -> SRC_ADDR;
            case 12, 28 -> DST_ADDR;
            case 9, 29 -> SRC_MASK;
            case 13, 30 -> DST_MASK;
            case 10 -> IN_IF;
            case 14 -> OUT_IF;
            case 252 -> IN_PHYS_IF;
            case 253 -> OUT_PHYS_IF;
            case 16 -> SRC_AS;
            case 17 -> DST_AS;
            case 15, 62 -> NEXT_HOP;
            case 18, 63 -> BGP_NEXT_HOP;
            case 58 -> SRC_VLAN;
            case 59 -> DST_VLAN;
            case 243 -> DOT1Q_VLAN;
            case 254 -> POST_DOT1Q_VLAN;
            case 56 -> SRC_MAC;
            case 80 -> DST_MAC;
            case 57 -> POST_DST_MAC;
            case 81 -> POST_SRC_MAC;
            case 61 -> DIRECTION;
            case 89 -> FORWARDING_STATUS;
            case 32, 139 -> ICMP_TYPE_CODE;
            case 176, 178 -> ICMP_TYPE;
            case 177, 179 -> ICMP_CODE;
            case 54 -> FRAGMENT_ID;
            case 88 -> FRAGMENT_OFFSET;
            case 31 -> FLOW_LABEL;
            case 70, 71, 72, 73, 74, 75, 76, 77, 78, 79 -> MPLS_LABEL;
            case 234 -> INGRESS_VRF;
            case 235 -> EGRESS_VRF;
            case 22 -> START_UPTIME;
            case 21 -> END_UPTIME;
            case 150 -> START_SECONDS;
            case 151 -> END_SECONDS;
            case 152 -> START_MILLIS;
            case 153 -> END_MILLIS;
            case 154 -> START_NTP_MICROS;
            case 155 -> END_NTP_MICROS;
            case 156 -> START_NTP;
            case 157 -> END_NTP;
            case 158 -> START_DELTA_MICROS;
            case 159 -> END_DELTA_MICROS;
            case 138 -> OBSERVATION_POINT;
            case 149 -> OBSERVATION_DOMAIN;
            case 315 -> FRAME_SECTION;
            case 192 -> TTL;
            case 52 -> MIN_TTL;
            case 60 -> IP_VERSION;
            case 34, 50 -> SAMPLING_INTERVAL;
            case 48, 302 -> SAMPLER_ID;
            case 305 -> PACKET_INTERVAL;
            case 306 -> PACKET_SPACE;
            case 309 -> SAMPLING_SIZE;
            case 310 -> SAMPLING_POPULATION;
            case 160 -> SYSTEM_INIT_MILLIS;
            default -> SKIP;
        };
    }
}

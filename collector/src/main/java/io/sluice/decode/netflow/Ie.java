package io.sluice.decode.netflow;

/**
 * The information elements sluice reads, by their IANA IPFIX registry names
 * (https://www.iana.org/assignments/ipfix/, RFC 7012); ids 1-127 are also NetFlow v9's field types
 * (RFC 3954 section 8, whose names are given where they differ). One list for {@link FieldKind#of} and
 * the tests, so a template reads {@code field(Ie.SOURCE_IPV4_ADDRESS, 4)} instead of {@code {8, 4}}.
 */
public final class Ie {
    public static final int OCTET_DELTA_COUNT = 1;              // v9 IN_BYTES
    public static final int PACKET_DELTA_COUNT = 2;             // v9 IN_PKTS
    public static final int PROTOCOL_IDENTIFIER = 4;
    public static final int IP_CLASS_OF_SERVICE = 5;            // v9 SRC_TOS
    public static final int TCP_CONTROL_BITS = 6;
    public static final int SOURCE_TRANSPORT_PORT = 7;
    public static final int SOURCE_IPV4_ADDRESS = 8;
    public static final int SOURCE_IPV4_PREFIX_LENGTH = 9;      // v9 SRC_MASK
    public static final int INGRESS_INTERFACE = 10;
    public static final int DESTINATION_TRANSPORT_PORT = 11;
    public static final int DESTINATION_IPV4_ADDRESS = 12;
    public static final int DESTINATION_IPV4_PREFIX_LENGTH = 13;
    public static final int EGRESS_INTERFACE = 14;
    public static final int IP_NEXT_HOP_IPV4_ADDRESS = 15;
    public static final int BGP_SOURCE_AS_NUMBER = 16;
    public static final int BGP_DESTINATION_AS_NUMBER = 17;
    public static final int BGP_NEXT_HOP_IPV4_ADDRESS = 18;
    public static final int FLOW_END_SYS_UP_TIME = 21;          // v9 LAST_SWITCHED
    public static final int FLOW_START_SYS_UP_TIME = 22;        // v9 FIRST_SWITCHED
    public static final int POST_OCTET_DELTA_COUNT = 23;        // v9 OUT_BYTES
    public static final int POST_PACKET_DELTA_COUNT = 24;       // v9 OUT_PKTS
    public static final int SOURCE_IPV6_ADDRESS = 27;
    public static final int DESTINATION_IPV6_ADDRESS = 28;
    public static final int SOURCE_IPV6_PREFIX_LENGTH = 29;
    public static final int DESTINATION_IPV6_PREFIX_LENGTH = 30;
    public static final int FLOW_LABEL_IPV6 = 31;
    public static final int ICMP_TYPE_CODE_IPV4 = 32;
    public static final int SAMPLING_INTERVAL = 34;             // deprecated in IPFIX, common in v9
    public static final int MPLS_TOP_LABEL_IPV4_ADDRESS = 47;
    public static final int SAMPLER_ID = 48;                    // v9 FLOW_SAMPLER_ID
    public static final int SAMPLER_RANDOM_INTERVAL = 50;
    public static final int MINIMUM_TTL = 52;
    public static final int FRAGMENT_IDENTIFICATION = 54;
    public static final int SOURCE_MAC_ADDRESS = 56;            // v9 IN_SRC_MAC
    public static final int POST_DESTINATION_MAC_ADDRESS = 57;  // v9 OUT_DST_MAC
    public static final int VLAN_ID = 58;                       // v9 SRC_VLAN
    public static final int POST_VLAN_ID = 59;                  // v9 DST_VLAN
    public static final int IP_VERSION = 60;
    public static final int FLOW_DIRECTION = 61;
    public static final int IP_NEXT_HOP_IPV6_ADDRESS = 62;
    public static final int BGP_NEXT_HOP_IPV6_ADDRESS = 63;
    public static final int MPLS_TOP_LABEL_STACK_SECTION = 70;  // 70..79: label stack sections 1..10
    public static final int MPLS_LABEL_STACK_SECTION_10 = 79;
    public static final int DESTINATION_MAC_ADDRESS = 80;       // v9 IN_DST_MAC
    public static final int POST_SOURCE_MAC_ADDRESS = 81;       // v9 OUT_SRC_MAC
    public static final int INTERFACE_NAME = 82;
    public static final int INTERFACE_DESCRIPTION = 83;
    public static final int OCTET_TOTAL_COUNT = 85;
    public static final int PACKET_TOTAL_COUNT = 86;
    public static final int FRAGMENT_OFFSET = 88;
    public static final int FORWARDING_STATUS = 89;
    public static final int OBSERVATION_POINT_ID = 138;
    public static final int ICMP_TYPE_CODE_IPV6 = 139;
    public static final int MPLS_TOP_LABEL_IPV6_ADDRESS = 140;
    public static final int OBSERVATION_DOMAIN_ID = 149;
    public static final int FLOW_START_SECONDS = 150;
    public static final int FLOW_END_SECONDS = 151;
    public static final int FLOW_START_MILLISECONDS = 152;
    public static final int FLOW_END_MILLISECONDS = 153;
    public static final int FLOW_START_MICROSECONDS = 154;
    public static final int FLOW_END_MICROSECONDS = 155;
    public static final int FLOW_START_NANOSECONDS = 156;
    public static final int FLOW_END_NANOSECONDS = 157;
    public static final int FLOW_START_DELTA_MICROSECONDS = 158;
    public static final int FLOW_END_DELTA_MICROSECONDS = 159;
    public static final int SYSTEM_INIT_TIME_MILLISECONDS = 160;
    public static final int ICMP_TYPE_IPV4 = 176;
    public static final int ICMP_CODE_IPV4 = 177;
    public static final int ICMP_TYPE_IPV6 = 178;
    public static final int ICMP_CODE_IPV6 = 179;
    public static final int IP_TTL = 192;
    public static final int INGRESS_VRF_ID = 234;
    public static final int EGRESS_VRF_ID = 235;
    public static final int DOT1Q_VLAN_ID = 243;
    public static final int INGRESS_PHYSICAL_INTERFACE = 252;
    public static final int EGRESS_PHYSICAL_INTERFACE = 253;
    public static final int POST_DOT1Q_VLAN_ID = 254;
    public static final int SELECTOR_ID = 302;
    public static final int SAMPLING_PACKET_INTERVAL = 305;
    public static final int SAMPLING_PACKET_SPACE = 306;
    public static final int SAMPLING_SIZE = 309;
    public static final int SAMPLING_POPULATION = 310;
    public static final int DATA_LINK_FRAME_SECTION = 315;

    /** RFC 5103 reverse information elements' private enterprise number (ids as the forward IEs). */
    public static final long PEN_REVERSE = 29305;
    /** Juniper Networks' private enterprise number. */
    public static final long PEN_JUNIPER = 2636;
    /** Juniper's commonPropertiesId (PEN 2636): forwarding-exception code in resiliency reporting. */
    public static final int JUNIPER_COMMON_PROPERTIES_ID = 137;

    private Ie() {}
}

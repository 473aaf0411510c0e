package io.sluice.decode.netflow;

import static io.sluice.decode.netflow.NetflowCaptureTest.number;
import static io.sluice.testing.TemplateMessage.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.sluice.decode.DecodeStats;
import io.sluice.testing.Captures;
import io.sluice.testing.DecodeHarness;
import io.sluice.testing.TemplateMessage;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The information elements no capture carries (or not in every variant), each in a hand-built IPFIX
 * record, and the sampling-rate sources, through the decoders and the JSON writer `sluice decode` uses.
 */
class FieldMappingTest {
    private static final byte[] EXPORTER = DecodeHarness.EXPORTER;

    private final DecodeStats stats = new DecodeStats();

    /** Decodes the messages in order; each flow as `sluice decode` prints it, parsed back. */
    private List<Map<String, Object>> decode(NetflowDecoders decoders, byte[]... messages) {
        return new DecodeHarness(decoders, stats).feed(messages);
    }

    private static void mac(ByteBuffer b, long mac) {
        b.putShort((short) (mac >>> 32)).putInt((int) mac);
    }

    /** DEVELOPERS.md's decode test in five lines, kept here so that the example compiles and passes. */
    @Test
    void aDecodeTestInFiveLines() {
        DecodeHarness h = new DecodeHarness();
        TemplateMessage m = TemplateMessage.ipfix(1).templateSet(300, field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.OCTET_DELTA_COUNT, 8));
        m.set(300).body().put(new byte[] {10, 0, 0, 1}).putLong(1500);
        assertEquals(1500L, number(h.feed(m.build()).getFirst().get("bytes")));
        assertEquals(0, h.stats().totalErrors());
    }

    @Test
    void ipv4RecordWithFallbackFieldsEnterpriseAndVariableLengths() {
        TemplateMessage m = TemplateMessage.ipfix(42).set(2).template(300, 0,
                field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.DESTINATION_IPV4_ADDRESS, 4),
                field(Ie.SOURCE_TRANSPORT_PORT, 2), field(Ie.DESTINATION_TRANSPORT_PORT, 2),
                field(Ie.PROTOCOL_IDENTIFIER, 1), field(Ie.IP_CLASS_OF_SERVICE, 1), field(Ie.TCP_CONTROL_BITS, 2),
                // totals; post-octets lose to them
                field(Ie.OCTET_TOTAL_COUNT, 8), field(Ie.PACKET_TOTAL_COUNT, 8), field(Ie.POST_OCTET_DELTA_COUNT, 8),
                // used: no ingress/egressInterface (10/14) in the record
                field(Ie.INGRESS_PHYSICAL_INTERFACE, 4), field(Ie.EGRESS_PHYSICAL_INTERFACE, 4),
                field(Ie.BGP_SOURCE_AS_NUMBER, 4), field(Ie.BGP_DESTINATION_AS_NUMBER, 4),
                field(Ie.SOURCE_IPV4_PREFIX_LENGTH, 1), field(Ie.DESTINATION_IPV4_PREFIX_LENGTH, 1),
                field(Ie.IP_NEXT_HOP_IPV4_ADDRESS, 4), field(Ie.BGP_NEXT_HOP_IPV4_ADDRESS, 4),
                field(Ie.DOT1Q_VLAN_ID, 2), field(Ie.POST_DOT1Q_VLAN_ID, 2),                        // no vlanId/postVlanId (58/59)
                field(Ie.POST_SOURCE_MAC_ADDRESS, 6), field(Ie.POST_DESTINATION_MAC_ADDRESS, 6),    // post MACs: no 56/80
                field(Ie.FLOW_DIRECTION, 1), field(Ie.FORWARDING_STATUS, 1),
                field(Ie.FRAGMENT_IDENTIFICATION, 4), field(Ie.FRAGMENT_OFFSET, 2),
                field(Ie.MPLS_TOP_LABEL_STACK_SECTION, 3), field(Ie.MPLS_TOP_LABEL_STACK_SECTION + 1, 3), // label stack
                field(Ie.MPLS_TOP_LABEL_STACK_SECTION + 2, 3),                                          // sections 1-3
                field(Ie.INGRESS_VRF_ID, 4), field(Ie.EGRESS_VRF_ID, 4),
                field(Ie.FLOW_START_SECONDS, 4), field(Ie.FLOW_END_SECONDS, 4), field(Ie.OBSERVATION_POINT_ID, 4),
                field(Ie.IP_TTL, 1), field(Ie.SAMPLING_INTERVAL, 4),
                field(Ie.OCTET_DELTA_COUNT, 4, 9),                                    // enterprise 9 (unknown): skipped
                field(Ie.INTERFACE_NAME, 0xFFFF), field(Ie.INTERFACE_DESCRIPTION, 0xFFFF)); // variable: 1- and 3-byte lengths
        m.set(300);
        ByteBuffer r = m.body();
        r.put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2}).putShort((short) 1234).putShort((short) 80)
                .put((byte) 6).put((byte) 0x20).putShort((short) 0x12)
                .putLong(5000).putLong(7).putLong(9999)
                .putInt(11).putInt(12)
                .putInt(65001).putInt(65002).put((byte) 24).put((byte) 16)
                .put(new byte[] {(byte) 192, 0, 2, 1}).put(new byte[] {(byte) 192, 0, 2, (byte) 254})
                .putShort((short) 100).putShort((short) 200);
        mac(r, 0x0000_5e00_5301L);
        mac(r, 0x0000_5e00_5302L);
        r.put((byte) 1).put((byte) 66).putInt(4242).putShort((short) 10);
        for (int label : new int[] {100, 200, 300}) {
            int entry = label << 4 | (label == 300 ? 1 : 0);
            r.put((byte) (entry >>> 16)).putShort((short) entry);
        }
        r.putInt(7).putInt(8).putInt(1_700_000_000).putInt(1_700_000_010).putInt(99).put((byte) 64).putInt(512)
                .putInt(0xDEADBEEF);
        r.put((byte) 4).put("eth0".getBytes());
        r.put((byte) 255).putShort((short) 300).put(new byte[300]);

        List<Map<String, Object>> flows = decode(new NetflowDecoders(NetflowConfig.defaults()), m.build());
        assertEquals(1, flows.size(), flows.toString());
        Map<String, Object> f = flows.getFirst();
        assertEquals("IPFIX", f.get("type"));
        assertEquals("10.0.0.1", f.get("src_addr"));
        assertEquals("10.0.0.2", f.get("dst_addr"));
        assertEquals(2048L, number(f.get("etype")));
        assertEquals(1234L, number(f.get("src_port")));
        assertEquals(80L, number(f.get("dst_port")));
        assertEquals(6L, number(f.get("proto")));
        assertEquals(0x20L, number(f.get("ip_tos")));
        assertEquals(0x12L, number(f.get("tcp_flags")));
        assertEquals(5000L, number(f.get("bytes")));
        assertEquals(7L, number(f.get("packets")));
        assertEquals(11L, number(f.get("in_if")));
        assertEquals(12L, number(f.get("out_if")));
        assertEquals(65001L, number(f.get("src_as")));
        assertEquals(65002L, number(f.get("dst_as")));
        assertEquals(24L, number(f.get("src_net")));
        assertEquals(16L, number(f.get("dst_net")));
        assertEquals("192.0.2.1", f.get("next_hop"));
        assertEquals("192.0.2.254", f.get("bgp_next_hop"));
        assertEquals(100L, number(f.get("src_vlan")));
        assertEquals(200L, number(f.get("dst_vlan")));
        assertEquals("00:00:5e:00:53:01", f.get("src_mac"));
        assertEquals("00:00:5e:00:53:02", f.get("dst_mac"));
        assertEquals(1L, number(f.get("flow_direction")));
        assertEquals(66L, number(f.get("forwarding_status")));
        assertEquals(4242L, number(f.get("fragment_id")));
        assertEquals(10L, number(f.get("fragment_offset")));
        assertEquals(List.of(100, 200, 300), f.get("mpls_label"));
        assertEquals(7L, number(f.get("ingress_vrf_id")));
        assertEquals(8L, number(f.get("egress_vrf_id")));
        assertEquals(1_700_000_000_000_000_000L, number(f.get("time_flow_start_ns")));
        assertEquals(1_700_000_010_000_000_000L, number(f.get("time_flow_end_ns")));
        assertEquals(99L, number(f.get("observation_point_id")));
        assertEquals(64L, number(f.get("ip_ttl")));
        assertEquals(512L, number(f.get("sampling_rate")));
        assertEquals("RECORD", f.get("sampling_rate_source"));
        assertEquals(42L, number(f.get("source_id")));
        assertEquals(42L, number(f.get("observation_domain_id")));
        assertEquals("192.0.2.10", f.get("exporter_address"));
        assertEquals("192.0.2.10", f.get("sampler_address"));
        assertEquals(4739L, number(f.get("exporter_port")));
        assertEquals(7L, number(f.get("sequence_num")));
        assertEquals(0, stats.totalErrors());
    }

    @Test
    void ipv6IcmpRecordWithPreferredFieldsNtpTimesAndPacketIntervalSampling() {
        long ntpStart = (1_700_000_000L + 2_208_988_800L) << 32 | 0x8000_0000L; // .5 s
        TemplateMessage m = TemplateMessage.ipfix(1).set(2).template(301, 0,
                field(Ie.SOURCE_IPV6_ADDRESS, 16), field(Ie.DESTINATION_IPV6_ADDRESS, 16),
                field(Ie.PROTOCOL_IDENTIFIER, 1), field(Ie.ICMP_TYPE_CODE_IPV6, 2),
                field(Ie.OCTET_DELTA_COUNT, 4), field(Ie.PACKET_DELTA_COUNT, 4), field(Ie.OCTET_TOTAL_COUNT, 8), // delta wins over total
                field(Ie.INGRESS_INTERFACE, 4), field(Ie.INGRESS_PHYSICAL_INTERFACE, 4),         // 10 wins over 252
                field(Ie.VLAN_ID, 2), field(Ie.POST_VLAN_ID, 2), field(Ie.DOT1Q_VLAN_ID, 2),      // 58 wins over 243
                field(Ie.SOURCE_MAC_ADDRESS, 6), field(Ie.DESTINATION_MAC_ADDRESS, 6), field(Ie.FLOW_LABEL_IPV6, 4),
                field(Ie.FLOW_START_NANOSECONDS, 8), field(Ie.SAMPLING_PACKET_INTERVAL, 4), field(Ie.SAMPLING_PACKET_SPACE, 4));
        m.set(301);
        ByteBuffer r = m.body();
        r.put(InetAddress.ofLiteral("2001:db8::1").getAddress()).put(InetAddress.ofLiteral("2001:db8::2").getAddress())
                .put((byte) 58).putShort((short) 0x8100)
                .putInt(100).putInt(1).putLong(123456)
                .putInt(5).putInt(99)
                .putShort((short) 10).putShort((short) 20).putShort((short) 30);
        mac(r, 0x0200_0000_0001L);
        mac(r, 0x0200_0000_0002L);
        r.putInt(0xABCDE).putLong(ntpStart).putInt(1).putInt(99);

        Map<String, Object> f = decode(new NetflowDecoders(NetflowConfig.defaults()), m.build()).getFirst();
        assertEquals("2001:db8::1", f.get("src_addr"));
        assertEquals(34525L, number(f.get("etype")));
        assertEquals(129L, number(f.get("icmp_type")));
        assertEquals(0L, number(f.get("icmp_code")));
        assertEquals(100L, number(f.get("bytes")));
        assertEquals(1L, number(f.get("packets")));
        assertEquals(5L, number(f.get("in_if")));
        assertEquals(10L, number(f.get("src_vlan")));
        assertEquals(20L, number(f.get("dst_vlan")));
        assertEquals("02:00:00:00:00:01", f.get("src_mac"));
        assertEquals(0xABCDEL, number(f.get("ipv6_flow_label")));
        assertEquals(1_700_000_000_500_000_000L, number(f.get("time_flow_start_ns")));
        assertEquals(100L, number(f.get("sampling_rate"))); // (1 + 99) / 1
        assertEquals("RECORD", f.get("sampling_rate_source"));
        assertNull(f.get("flow_direction"));
    }

    @Test
    void selectorOptionsWithSizeAndPopulationAreNotReadAsALoneIntervalOfOne() {
        // Options: scope selectorId (302); samplingPacketInterval 1 without a space, plus samplingSize 1
        // and samplingPopulation 1000. Reading only 305 would say 1; the rate is 1000.
        TemplateMessage m = TemplateMessage.ipfix(3).set(3).template(400, 1, field(Ie.SELECTOR_ID, 8),
                field(Ie.SAMPLING_PACKET_INTERVAL, 4), field(Ie.SAMPLING_SIZE, 4), field(Ie.SAMPLING_POPULATION, 4));
        m.set(2).template(401, 0, field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.DESTINATION_IPV4_ADDRESS, 4),
                field(Ie.SELECTOR_ID, 8), field(Ie.PACKET_DELTA_COUNT, 4));
        m.set(400);
        m.body().putLong(5).putInt(1).putInt(1).putInt(1000);
        m.set(401);
        m.body().put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2}).putLong(5).putInt(3);
        m.body().put(new byte[] {10, 0, 0, 3}).put(new byte[] {10, 0, 0, 4}).putLong(6).putInt(3); // unknown selector

        List<Map<String, Object>> flows = decode(new NetflowDecoders(NetflowConfig.defaults()), m.build());
        assertEquals(2, flows.size());
        assertEquals(1000L, number(flows.get(0).get("sampling_rate")));
        assertEquals("SAMPLER_TABLE", flows.get(0).get("sampling_rate_source"));
        assertEquals(0L, number(flows.get(1).get("sampling_rate")));
        assertNull(flows.get(1).get("sampling_rate_source"));
    }

    @Test
    void ipfixUptimesCountFromTheDomainsSystemInitTime() {
        // Options (scope observationDomainId) carrying systemInitTimeMilliseconds, then a record with
        // flowStartSysUpTime / flowEndSysUpTime (22 / 21), as Cisco IOS XE exports them.
        TemplateMessage m = TemplateMessage.ipfix(9).set(3).template(500, 1, field(Ie.OBSERVATION_DOMAIN_ID, 4),
                field(Ie.SYSTEM_INIT_TIME_MILLISECONDS, 8));
        m.set(2).template(501, 0, field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.FLOW_START_SYS_UP_TIME, 4),
                field(Ie.FLOW_END_SYS_UP_TIME, 4));
        m.set(500);
        m.body().putInt(9).putLong(1_700_000_000_000L);
        m.set(501);
        m.body().put(new byte[] {10, 0, 0, 1}).putInt(5_000).putInt(7_500);
        Map<String, Object> f = decode(new NetflowDecoders(NetflowConfig.defaults()), m.build()).getFirst();
        assertEquals(1_700_000_005_000_000_000L, number(f.get("time_flow_start_ns")));
        assertEquals(1_700_000_007_500_000_000L, number(f.get("time_flow_end_ns")));
    }

    @Test
    void samplingRateSourcesOfTheCaptures() {
        Path netflow = Captures.captures().resolve("akvorado/netflow");
        NetflowDecoders d = new NetflowDecoders(NetflowConfig.defaults());
        var flows = NetflowCaptureTest.replay(d, netflow,
                List.of("options-template.pcap", "options-data.pcap", "template.pcap", "data.pcap"));
        assertFalse(flows.isEmpty());
        flows.forEach(f -> assertEquals("SAMPLER_TABLE", f.get("sampling_rate_source")));
        NetflowCaptureTest.replay(d = new NetflowDecoders(NetflowConfig.defaults()), netflow,
                        List.of("samplingrate-template.pcap", "samplingrate-data.pcap"))
                .forEach(f -> assertEquals("RECORD", f.get("sampling_rate_source")));
        NetflowCaptureTest.replay(new NetflowDecoders(NetflowConfig.defaults()), netflow, List.of("mpls.pcap"))
                .forEach(f -> assertEquals("PACKET_INTERVAL", f.get("sampling_rate_source")));
        NetflowCaptureTest.replay(new NetflowDecoders(NetflowConfig.defaults()), netflow, List.of("nfv5.pcap"))
                .forEach(f -> {
                    assertEquals(0L, number(f.get("sampling_rate"))); // header interval 0, as goflow2: the raw value
                    assertEquals("NF5_HEADER", f.get("sampling_rate_source"));
                });
    }

    @Test
    void configuredDefaultsPerExporterThenGlobal() throws Exception {
        Path netflow = Captures.captures().resolve("akvorado/netflow");
        // nfv5.pcap comes from 10.19.144.41 (header interval 0); datalink-* from 49.49.49.49 (no rate at all).
        NetflowConfig config = NetflowConfig.defaults().withDefaultSamplingRate(100)
                .withExporterSamplingRates(Map.of(InetAddress.getByName("10.19.144.41"), 2048L));
        var v5 = NetflowCaptureTest.replay(new NetflowDecoders(config), netflow, List.of("nfv5.pcap"));
        assertEquals(29, v5.size());
        v5.forEach(f -> {
            assertEquals(2048L, number(f.get("sampling_rate")));
            assertEquals("CONFIGURED_DEFAULT", f.get("sampling_rate_source"));
        });
        var ipfix = NetflowCaptureTest.replay(new NetflowDecoders(config), netflow,
                List.of("datalink-template.pcap", "datalink-data.pcap"));
        assertEquals(1, ipfix.size());
        assertEquals(100L, number(ipfix.getFirst().get("sampling_rate")));
        assertEquals("CONFIGURED_DEFAULT", ipfix.getFirst().get("sampling_rate_source"));
    }

    @Test
    void whatTheSinkThrowsIsNotTakenForBadInput() throws Exception {
        Path netflow = Captures.captures().resolve("akvorado/netflow");
        NetflowDecoders decoders = new NetflowDecoders(NetflowConfig.defaults());
        DecodeHarness h = new DecodeHarness(decoders, stats).from(EXPORTER, 2055);
        for (String capture : List.of("nfv5.pcap", "mpls.pcap")) {
            byte[] payload = io.sluice.capture.CaptureReader.read(netflow.resolve(capture)).getFirst().payload();
            IllegalStateException thrown = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> h.feed(f -> { throw new IllegalStateException("output full"); }, payload));
            assertEquals("output full", thrown.getMessage());
        }
        assertEquals(0, stats.errors(io.sluice.decode.DecodeError.MALFORMED));
        // The decoders are still usable afterwards.
        assertEquals(2, decode(decoders, io.sluice.capture.CaptureReader.read(netflow.resolve("mpls.pcap")).getFirst().payload()).size());
    }

    @Test
    void configIsValidated() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new NetflowConfig(-1, 1, Duration.ofSeconds(1), 1, 0, Map.of(), io.sluice.decode.packet.Decapsulation.NONE));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new NetflowConfig(1, 1, Duration.ofSeconds(-1), 1, 0, Map.of(), io.sluice.decode.packet.Decapsulation.NONE));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> NetflowConfig.defaults().withDefaultSamplingRate(-5));
    }
}

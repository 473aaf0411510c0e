package io.sluice.decode.netflow;

import static io.sluice.decode.netflow.NetflowCaptureTest.number;
import static io.sluice.testing.TemplateMessage.field;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.DecodeError;
import io.sluice.testing.DecodeHarness;
import io.sluice.testing.TemplateMessage;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 12's decode-fidelity classes, each on a message built byte by byte from the RFC (RFC 7011 for
 * IPFIX, RFC 3954 for NetFlow v9), asserting the exact value; the rules are in docs/decoding.md.
 */
class DecodeFidelityTest {
    private static final byte[] SRC = {10, 0, 0, 1};
    private static final long EXPORT = 1_700_000_100L;

    @Test
    void ipfixUptimesWithoutASystemInitTimeEndAtTheExportTimeAndAreCounted() {
        // flowStartSysUpTime 5,000 ms / flowEndSysUpTime 7,500 ms, and no IE 160 anywhere: the flow lasted
        // 2.5 s and ended (at the latest) when exported. Before: no start or end time at all, uncounted.
        TemplateMessage m = TemplateMessage.ipfix(9, EXPORT, 1).templateSet(501,
                field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.FLOW_START_SYS_UP_TIME, 4), field(Ie.FLOW_END_SYS_UP_TIME, 4));
        m.set(501).body().put(SRC).putInt(5_000).putInt(7_500);
        DecodeHarness h = new DecodeHarness();
        Map<String, Object> f = h.feed(m.build()).getFirst();
        assertEquals(EXPORT * 1_000_000_000L, number(f.get("time_flow_end_ns")));
        assertEquals(EXPORT * 1_000_000_000L - 2_500_000_000L, number(f.get("time_flow_start_ns")));
        assertEquals(1, h.stats().timesFromExportTime());
        assertEquals(0, h.stats().totalErrors());
    }

    @Test
    void ipfixUptimesWithASystemInitTimeAreNotEstimates() {
        TemplateMessage m = TemplateMessage.ipfix(9, EXPORT, 1).templateSet(501,
                field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.SYSTEM_INIT_TIME_MILLISECONDS, 8),
                field(Ie.FLOW_START_SYS_UP_TIME, 4), field(Ie.FLOW_END_SYS_UP_TIME, 4));
        m.set(501).body().put(SRC).putLong(1_700_000_000_000L).putInt(5_000).putInt(7_500);
        DecodeHarness h = new DecodeHarness();
        Map<String, Object> f = h.feed(m.build()).getFirst();
        assertEquals(1_700_000_005_000_000_000L, number(f.get("time_flow_start_ns")));
        assertEquals(1_700_000_007_500_000_000L, number(f.get("time_flow_end_ns")));
        assertEquals(0, h.stats().timesFromExportTime());
    }

    @Test
    void mplsTopLabelAddressesAreMplsIp() {
        // IE 47 mplsTopLabelIPv4Address and IE 140 mplsTopLabelIPv6Address (RFC 7012 5.4): goflow2's mpls_ip.
        TemplateMessage m = TemplateMessage.ipfix(1).templateSet(300,
                field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.MPLS_TOP_LABEL_STACK_SECTION, 3),
                field(Ie.MPLS_TOP_LABEL_IPV4_ADDRESS, 4));
        m.template(301, 0, field(Ie.SOURCE_IPV6_ADDRESS, 16), field(Ie.MPLS_TOP_LABEL_IPV6_ADDRESS, 16));
        int entry = 1000 << 4 | 1;
        m.set(300).body().put(SRC).put((byte) (entry >>> 16)).putShort((short) entry).put(new byte[] {(byte) 192, 0, 2, 99});
        m.set(301).body().put(InetAddress.ofLiteral("2001:db8::1").getAddress())
                .put(InetAddress.ofLiteral("2001:db8::99").getAddress());
        List<Map<String, Object>> flows = new DecodeHarness().feed(m.build());
        assertEquals(2, flows.size());
        assertEquals(List.of("192.0.2.99"), flows.get(0).get("mpls_ip"));
        assertEquals(List.of(1000), flows.get(0).get("mpls_label"));
        assertEquals(List.of("2001:db8::99"), flows.get(1).get("mpls_ip"));
    }

    @Test
    void v9FlowSetPaddingAndTrailingPacketPaddingAreNotRecords() {
        // RFC 3954 5.3: a FlowSet is padded to 32 bits, the padding counted in its length. A 5-byte record
        // (src addr + protocol) then 3 padding bytes; then 3 bytes after the last FlowSet (goflow2 #502-#504).
        TemplateMessage m = TemplateMessage.v9(10_000, EXPORT, 1, 0)
                .templateSet(256, field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.PROTOCOL_IDENTIFIER, 1));
        m.set(256).record().body().put(SRC).put((byte) 6);
        m.pad();
        m.set(256).record().body().put(new byte[] {10, 0, 0, 2}).put((byte) 17);
        m.body().put(new byte[] {10, 0, 0, 3}).put((byte) 1);
        m.pad();
        byte[] built = m.build();
        byte[] padded = java.util.Arrays.copyOf(built, built.length + 3); // trailing packet padding
        DecodeHarness h = new DecodeHarness();
        List<Map<String, Object>> flows = h.feed(padded);
        assertEquals(3, flows.size());
        assertEquals(List.of(6L, 17L, 1L), flows.stream().map(f -> number(f.get("proto"))).toList());
        assertEquals(0, h.stats().totalErrors(), "padding is neither a record nor an error");
        // A packet padded with zeros to a fixed size (whole zero FlowSet headers) is padding too.
        byte[] zeros = java.util.Arrays.copyOf(built, built.length + 64);
        assertEquals(3, h.feed(zeros).size());
        assertEquals(0, h.stats().errors(DecodeError.BAD_LENGTH));
    }
}

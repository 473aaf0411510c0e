package io.sluice.flow;

import io.sluice.testing.CaptureReplay;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class FlowJsonTest {

    @Test
    void writesSetFieldsWithProtoNamesAddressesAsText() {
        FlowRecord f = new FlowRecord();
        f.type = 4;
        f.srcAddr.setV4(0xC0000201);
        f.dstAddr.set(new byte[] {0x2a, 0x0c, (byte) 0x88, (byte) 0x80, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 0, 16);
        f.srcMac = 0x246e96907a50L;
        f.bytes = 1500;
        f.addMpls(18, 64);
        f.flowDirection = 0;
        Map<String, Object> json = CaptureReplay.parseLines(FlowJson.toJson(f)).get(0);
        assertEquals("IPFIX", json.get("type"));
        assertEquals("192.0.2.1", json.get("src_addr"));
        assertEquals("2a0c:8880:2::1", json.get("dst_addr"));
        assertEquals("24:6e:96:90:7a:50", json.get("src_mac"));
        assertEquals(1500, json.get("bytes"));
        assertEquals(java.util.List.of(18), json.get("mpls_label"));
        assertEquals(0, json.get("flow_direction"));
        assertFalse(json.containsKey("packets"), "zero fields are omitted");
    }

    /** goflow2's JSON conventions: every goflow2 field in its order, zeros included, names for type/etype/proto, CIDR nets. */
    @Test
    void goflow2StyleListsEveryFieldWithGoflow2sRenderings() {
        FlowRecord f = new FlowRecord();
        f.type = 1;
        f.srcAddr.setV4(0x0A010203);
        f.srcNet = 24;
        f.etype = 0x0800;
        f.proto = 6;
        f.sampleSequence = 9;
        f.dstMac = 0x0000_0000_0001L;
        String text = FlowJson.toJson(f, JsonStyle.GOFLOW2);
        Map<String, Object> json = CaptureReplay.parseLines(text).get(0);
        assertEquals("SFLOW_5", json.get("type"));
        assertEquals("IPv4", json.get("etype"));
        assertEquals("TCP", json.get("proto"));
        assertEquals("10.1.2.0/24", json.get("src_net"));
        assertEquals("invalid Prefix", json.get("dst_net"), "no destination address to mask");
        assertEquals("", json.get("dst_addr"), "absent address printed empty");
        assertEquals(0, json.get("packets"), "zeros included");
        assertEquals("00:00:00:00:00:00", json.get("src_mac"));
        assertEquals("00:00:00:00:00:01", json.get("dst_mac"));
        assertEquals(java.util.List.of(), json.get("layer_stack"));
        assertEquals(9, json.get("sample_sequence"), "sluice's own fields follow, when set");
        assertFalse(json.containsKey("l3_length"));
        assertEquals(true, text.startsWith("{\"type\":\"SFLOW_5\",\"time_received_ns\":0,\"sequence_num\":0,\"sampling_rate\":0,"), text);
        assertEquals("IPv6-ICMP", Goflow2Names.proto(58));
        assertEquals("unassigned", Goflow2Names.proto(200));
        assertEquals("reserved", Goflow2Names.proto(255));
        assertEquals("", Goflow2Names.etype(0x8100));
    }
}

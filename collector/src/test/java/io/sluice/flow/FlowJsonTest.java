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
}

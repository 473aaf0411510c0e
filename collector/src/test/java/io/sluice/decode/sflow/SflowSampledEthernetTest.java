package io.sluice.decode.sflow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.testing.DecodeHarness;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The sampled-Ethernet flow record (sFlow v5, enterprise 0 format 2), built byte by byte from
 * sflow_version_5.txt: {@code unsigned int length; mac src_mac; mac dst_mac; unsigned int type;} where
 * {@code mac} is {@code opaque[6]} and XDR pads it to 8 bytes. goflow2 read the destination 2 bytes early
 * (#510/#511) and Akvorado likewise (#2428); sluice reads it at +12 (this test guards that).
 */
class SflowSampledEthernetTest {
    @Test
    void destinationMacFollowsTheSourceMacsXdrPadding() {
        ByteBuffer b = ByteBuffer.allocate(256);
        b.putInt(5).putInt(1).put(new byte[] {(byte) 192, 0, 2, 1}).putInt(0).putInt(77).putInt(1000).putInt(1);
        int sampleStart = b.position();
        b.putInt(1).putInt(0); // flow_sample, length filled below
        int body = b.position();
        b.putInt(1).putInt(3).putInt(512).putInt(4096).putInt(0).putInt(10).putInt(20).putInt(1);
        b.putInt(2).putInt(24); // sampled_ethernet, 24 bytes
        b.putInt(1514);
        b.put(new byte[] {0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}).putShort((short) 0);
        b.put(new byte[] {0x11, 0x22, 0x33, 0x44, 0x55, 0x66}).putShort((short) 0);
        b.putInt(0x0800);
        b.putInt(sampleStart + 4, b.position() - body);
        byte[] datagram = new byte[b.position()];
        b.get(0, datagram);

        DecodeHarness h = new DecodeHarness();
        List<Map<String, Object>> flows = h.feed(datagram);
        assertEquals(1, flows.size());
        assertEquals("0a:0b:0c:0d:0e:0f", flows.getFirst().get("src_mac"));
        assertEquals("11:22:33:44:55:66", flows.getFirst().get("dst_mac"));
        assertEquals(2048, ((Number) flows.getFirst().get("etype")).intValue());
        assertEquals(0, h.stats().totalErrors());
    }
}

package io.sluice.decode.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.flow.FlowRecord;
import io.sluice.testing.Captures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The Ethernet frames Akvorado uses to test its sampled-header parser (akvorado/l2-headers), parsed
 * at an offset inside a larger buffer (as a data-link section inside a datagram), compared with every
 * expected field and the expected L3 length. GRE and IP-in-IP decapsulation are not this parser's job
 * (frames expecting them are left out, listed in {@link #NOT_SUPPORTED}); SRv6 is, when asked.
 */
class PacketHeaderParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> NOT_SUPPORTED = List.of("GRE", "IPIP");

    @TestFactory
    Stream<DynamicTest> akvoradoFrames() throws IOException {
        Path dir = Captures.captures().resolve("akvorado/l2-headers");
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path file : s.filter(p -> p.toString().endsWith(".expected.json")).sorted().toList()) {
                JsonNode expected = JSON.readTree(file.toFile());
                String decap = expected.get("decapsulation").asText();
                if (NOT_SUPPORTED.contains(decap)) continue;
                tests.add(DynamicTest.dynamicTest(file.getFileName().toString(), () -> check(dir, expected, decap)));
            }
        }
        assertTrue(tests.size() == 9, "frames found: " + tests.size());
        return tests.stream();
    }

    private static void check(Path dir, JsonNode expected, String decap) throws IOException {
        byte[] frame = Files.readAllBytes(dir.resolve(expected.get("frame_file").asText()));
        ByteBuffer buf = ByteBuffer.allocate(frame.length + 37);
        buf.put(37, frame); // the frame at an offset, bytes before it must not be read
        FlowRecord flow = new FlowRecord();
        int l3 = PacketHeaderParser.parse(buf, 37, frame.length, flow, decap.equals("SRV6"));
        assertEquals(expected.get("expected_parsed_l3_length").asInt(), l3, "L3 length");
        JsonNode fields = expected.get("expected_fields");
        if (fields == null || fields.isNull()) return; // frame rejected: only the length (0) is expected
        // Every field Akvorado's parser sets; absent ones are expected zero (names ours where they differ:
        // ip_fragment_id = fragment_id, mpls_labels = mpls_label, icmpv4/6_type = icmp_type).
        assertEquals(fields.path("src_addr").asText(""), flow.srcAddr.toString());
        assertEquals(fields.path("dst_addr").asText(""), flow.dstAddr.toString());
        assertEquals(fields.path("etype").asInt(), flow.etype);
        assertEquals(fields.path("proto").asInt(), flow.proto);
        assertEquals(fields.path("src_port").asInt(), flow.srcPort);
        assertEquals(fields.path("dst_port").asInt(), flow.dstPort);
        assertEquals(fields.path("ip_ttl").asInt(), flow.ipTtl);
        assertEquals(fields.path("ip_tos").asInt(), flow.ipTos);
        assertEquals(fields.path("tcp_flags").asInt(), flow.tcpFlags);
        assertEquals(fields.path("ip_fragment_id").asLong(), flow.fragmentId);
        assertEquals(fields.path("ipv6_flow_label").asInt(), flow.ipv6FlowLabel);
        assertEquals(fields.path("icmpv4_type").asInt() + fields.path("icmpv6_type").asInt(), flow.icmpType);
        assertEquals(fields.path("src_mac").asText(""), mac(flow.srcMac));
        assertEquals(fields.path("dst_mac").asText(""), mac(flow.dstMac));
        // Akvorado puts the frame's 802.1Q VLAN in src_vlan and dst_vlan; the parser's place is vlan_id.
        assertEquals(fields.path("src_vlan").asInt(), flow.vlanId);
        assertEquals(fields.path("dst_vlan").asInt(), flow.vlanId);
        List<Integer> labels = new ArrayList<>();
        fields.path("mpls_labels").forEach(n -> labels.add(n.asInt()));
        List<Integer> ours = new ArrayList<>();
        for (int i = 0; i < flow.mplsCount; i++) ours.add(flow.mplsLabel[i]);
        assertEquals(labels, ours);
    }

    private static String mac(long mac) {
        if (mac == 0) return "";
        StringBuilder sb = new StringBuilder();
        for (int shift = 40; shift >= 0; shift -= 8) {
            sb.append(String.format("%02x", (mac >>> shift) & 0xff));
            if (shift > 0) sb.append(':');
        }
        return sb.toString();
    }
}

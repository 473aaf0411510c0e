package io.sluice.decode.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowRecord;
import io.sluice.testing.CaptureReplay;
import io.sluice.testing.Captures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sampled-header parser on Akvorado's single-frame captures (akvorado/l2-headers): the L3 length
 * Akvorado's parser returns and every field it expects, with the decapsulation Akvorado used; and
 * what we report for the same tunnelled frames without decapsulation (the outer packet, never a
 * misparse).
 */
class PacketHeaderParserTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {
            "gre-v4-key", "gre-v4-plain", "gre-v6-plain", "ipv4-ipv4", "ipv4-ipv6", "mpls-eompls-cw",
            "mpls-eompls-invalid-cw", "mpls-explicit-null-ipv4", "mpls-explicit-null-ipv6", "mpls-invalid-nibble",
            "mpls-ipv4", "mpls-ipv6", "srv6-end-dt6", "vlan-ipv6"})
    void akvoradoFrames(String name) throws IOException {
        Path dir = Captures.captures().resolve("akvorado/l2-headers");
        JsonNode expected = JSON.readTree(dir.resolve(name + ".expected.json").toFile());
        byte[] frame = Files.readAllBytes(dir.resolve(name + ".frame.bin"));
        Decapsulation decap = Decapsulation.valueOf(expected.get("decapsulation").asText());
        FlowRecord flow = new FlowRecord();
        int l3 = PacketHeaderParser.parseEthernet(ByteBuffer.wrap(frame), 0, frame.length, flow, decap);
        assertEquals(expected.get("expected_parsed_l3_length").asInt(), l3, "L3 length");
        Map<String, Object> ours = json(flow);
        JsonNode fields = expected.get("expected_fields");
        if (fields == null || fields.isNull()) {
            // Rejected frames: no IP packet may be reported from them.
            assertFalse(ours.containsKey("src_addr") || ours.containsKey("dst_addr"), "rejected frame: " + ours);
            return;
        }
        for (Iterator<String> it = fields.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            assertEquals(value(fields.get(key)), ours(key, ours), name + ": " + key + " in " + ours);
        }
    }

    /** Our value of an Akvorado key (names differ; the meaning is the same). */
    private static Object ours(String key, Map<String, Object> f) {
        return switch (key) {
            case "dst_addr", "src_addr", "dst_mac", "src_mac" -> String.valueOf(f.getOrDefault(key, ""));
            case "dst_port", "src_port", "etype", "proto", "ip_tos", "ip_ttl", "tcp_flags", "ipv6_flow_label" ->
                    num(f, key);
            case "ip_fragment_id" -> num(f, "fragment_id");
            case "icmpv4_type" -> num(f, "proto") == 1 ? num(f, "icmp_type") : 0L;
            case "mpls_labels" -> longs(f.get("mpls_label"));
            // Akvorado writes the 802.1Q tag of the frame to src/dst VLAN; goflow2's schema calls it vlan_id.
            case "src_vlan", "dst_vlan" -> num(f, "vlan_id");
            default -> {
                fail("no mapping for " + key);
                yield null;
            }
        };
    }

    /** Without decapsulation the tunnel itself is the flow: outer addresses and tunnel protocol. */
    @ParameterizedTest
    @CsvSource({
            "gre-v4-key,   47, 2048",
            "gre-v4-plain, 47, 2048",
            "gre-v6-plain, 47, 2048",
            "ipv4-ipv4,     4, 2048",
            "ipv4-ipv6,    41, 2048",
            "srv6-end-dt6, 41, 34525"})
    void tunnelsWithoutDecapsulationReportTheOuterPacket(String name, int outerProto, int outerEtype)
            throws IOException {
        byte[] frame = Files.readAllBytes(Captures.captures().resolve("akvorado/l2-headers/" + name + ".frame.bin"));
        FlowRecord outer = new FlowRecord();
        int l3 = PacketHeaderParser.parseEthernet(ByteBuffer.wrap(frame), 0, frame.length, outer, Decapsulation.NONE);
        assertEquals(outerProto, outer.proto);
        assertEquals(outerEtype, outer.etype);
        // The outer header's own length field, read independently of the parser.
        int ipStart = 14;
        ByteBuffer b = ByteBuffer.wrap(frame);
        int expectedL3 = outerEtype == 2048 ? b.getShort(ipStart + 2) & 0xFFFF : (b.getShort(ipStart + 4) & 0xFFFF) + 40;
        assertEquals(expectedL3, l3);
        assertEquals(0, outer.srcPort);
        // A decapsulation mode for another tunnel kind leaves the packet alone too.
        FlowRecord other = new FlowRecord();
        PacketHeaderParser.parseEthernet(ByteBuffer.wrap(frame), 0, frame.length, other, Decapsulation.VXLAN);
        assertEquals(FlowJson.toJson(outer), FlowJson.toJson(other));
    }

    @Test
    void voidApiParsesTheSameAsTheLengthReturningOne() throws IOException {
        byte[] frame = Files.readAllBytes(Captures.captures().resolve("akvorado/l2-headers/mpls-ipv4.frame.bin"));
        FlowRecord a = new FlowRecord();
        FlowRecord b = new FlowRecord();
        PacketHeaderParser.parse(ByteBuffer.wrap(frame), 0, frame.length, a);
        PacketHeaderParser.parseEthernet(ByteBuffer.wrap(frame), 0, frame.length, b, Decapsulation.NONE);
        assertEquals(FlowJson.toJson(b), FlowJson.toJson(a));
        // parseIp starts at the IP header: MPLS frame, 14 + 2 labels * 4 = 22.
        FlowRecord c = new FlowRecord();
        assertEquals(40, PacketHeaderParser.parseIp(ByteBuffer.wrap(frame), 22, frame.length - 22, c));
        assertEquals(a.srcAddr.toString(), c.srcAddr.toString());
        assertEquals(a.srcPort, c.srcPort);
    }

    /** Every prefix of every frame: never throws, never reads past the given length. */
    @ParameterizedTest
    @ValueSource(strings = {"gre-v4-key", "ipv4-ipv6", "mpls-eompls-cw", "srv6-end-dt6", "vlan-ipv6"})
    void truncatedFramesNeverThrowNorReadPastTheirLength(String name) throws IOException {
        byte[] frame = Files.readAllBytes(Captures.captures().resolve("akvorado/l2-headers/" + name + ".frame.bin"));
        for (Decapsulation d : Decapsulation.values()) {
            for (int len = 0; len <= frame.length; len++) {
                // The buffer ends where the length says: a read beyond would throw.
                ByteBuffer exact = ByteBuffer.wrap(frame, 0, len).slice();
                FlowRecord flow = new FlowRecord();
                PacketHeaderParser.parseEthernet(exact, 0, len, flow, d);
                PacketHeaderParser.parseIp(exact, Math.min(14, len), len - Math.min(14, len), flow, d);
            }
        }
    }

    private static Map<String, Object> json(FlowRecord flow) {
        return CaptureReplay.parseLines(FlowJson.toJson(flow)).getFirst();
    }

    private static Object value(JsonNode v) {
        if (v.isArray()) return longs(v);
        if (v.isNumber()) return v.asLong();
        return v.asText();
    }

    private static long num(Map<String, Object> f, String key) {
        Object v = f.get(key);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static List<Long> longs(Object v) {
        List<Long> out = new ArrayList<>();
        if (v instanceof List<?> list) for (Object o : list) out.add(((Number) o).longValue());
        if (v instanceof JsonNode node) for (JsonNode n : node) out.add(n.asLong());
        return out;
    }
}

package io.sluice.decode.sflow;

import static io.sluice.decode.sflow.SflowCaptures.longs;
import static io.sluice.decode.sflow.SflowCaptures.num;
import static io.sluice.decode.sflow.SflowCaptures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.packet.Decapsulation;
import io.sluice.testing.Captures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every Akvorado sFlow capture replayed through the `sluice decode` code path: every expected flow,
 * every field of its expected.json. Akvorado's names and conventions differ from goflow2's schema in
 * places; {@link #akvoradoValue} maps each of its keys to our output explicitly, one rule per
 * convention, and a key with no rule fails the test (nothing is skipped silently).
 */
class SflowAkvoradoCaptureTest {
    /** 0x3FFFFFFF: the interface value of traffic to or from the agent itself. */
    static final long INTERFACE_LOCAL = 0x3FFFFFFFL;

    @ParameterizedTest
    @FieldSource("io.sluice.decode.sflow.SflowCaptures#AKVORADO")
    void everyExpectedFlowWithEveryField(String capture) {
        JsonNode expected = SflowCaptures.json(capture + ".expected.json");
        List<JsonNode> samples = flowSamples(SflowCaptures.json(capture + ".summary.json"));
        for (JsonNode scenario : expected.get("scenarios")) {
            String test = scenario.get("test").asText();
            List<Map<String, Object>> flows = SflowCaptures.replay(decoderFor(scenario), files(capture, scenario));
            JsonNode expectedFlows = scenario.get("expected_flows");
            assertEquals(expectedFlows.size(), flows.size(), test + ": flow count");
            // "flow sample with sampled ethernet" decodes the same capture with Akvorado's reduced
            // schema (L3/L4 groups off): the fields it leaves out are not claimed to be zero there.
            boolean reducedSchema = test.endsWith("with sampled ethernet");
            for (int i = 0; i < expectedFlows.size(); i++) {
                compare(test + " flow " + i, expectedFlows.get(i), flows.get(i), samples.get(i), reducedSchema,
                        Convention.AKVORADO);
            }
        }
    }

    /**
     * data-vlan-interfaces comes from Akvorado's older goflow-based decoder, with that era's
     * conventions (bytes = frame length, raw flags+offset word, datagram sequence, VLAN of the sampled
     * header as vlan_id); its test asserted only the fields it lists (no MACs), so only those are compared.
     */
    @org.junit.jupiter.api.Test
    void vlanInterfacesCaptureInTheOldDecoderConventions() {
        String capture = "akvorado/extra/data-vlan-interfaces";
        JsonNode expected = SflowCaptures.json(capture + ".expected.json");
        List<JsonNode> samples = flowSamples(SflowCaptures.json(capture + ".summary.json"));
        JsonNode scenario = expected.get("scenarios").get(0);
        List<Map<String, Object>> flows = SflowCaptures.replay(SflowCaptures.sflowOnly(), files(capture, scenario));
        JsonNode expectedFlows = scenario.get("expected_flows");
        assertEquals(expectedFlows.size(), flows.size());
        // Its sequence_num is the DATAGRAM sequence, as ours (goflow2's meaning); the sample's is our sample_sequence.
        List<SflowCaptures.DecodedDatagram> datagrams = SflowCaptures.perDatagram(SflowCaptures.dataFile(capture));
        assertEquals(1, datagrams.size());
        for (int i = 0; i < expectedFlows.size(); i++) {
            JsonNode e = expectedFlows.get(i);
            assertEquals(e.get("sequence_num").asLong(), datagrams.getFirst().sequence(), "datagram sequence");
            assertEquals(e.get("sequence_num").asLong(), num(flows.get(i), "sequence_num"), "our sequence_num");
            assertEquals(samples.get(i).get("sequence").asLong(), num(flows.get(i), "sample_sequence"),
                    "our sample_sequence is the sample's sequence");
            compare("flow " + i, e, flows.get(i), samples.get(i), true, Convention.GOFLOW_ERA);
        }
    }

    enum Convention { AKVORADO, GOFLOW_ERA }

    private static VersionDispatch decoderFor(JsonNode scenario) {
        JsonNode options = scenario.path("decoder_options");
        if (options.has("decapsulation")) {
            Decapsulation d = Decapsulation.valueOf(options.get("decapsulation").asText());
            return new VersionDispatch(new SflowDecoder(d), null, null, null);
        }
        return SflowCaptures.sflowOnly();
    }

    private static List<Path> files(String capture, JsonNode scenario) {
        Path folder = Captures.captures().resolve(capture).getParent();
        List<Path> files = new ArrayList<>();
        for (JsonNode f : scenario.get("replay_sequence")) files.add(folder.resolve(f.asText()));
        return files;
    }

    /** The flow samples of the tshark summary, in datagram order (one flow each). */
    static List<JsonNode> flowSamples(JsonNode summary) {
        List<JsonNode> samples = new ArrayList<>();
        for (JsonNode d : summary.get("datagram_details")) {
            for (JsonNode s : d.path("samples")) {
                String type = s.get("type").asText();
                if (type.equals("flow_sample") || type.equals("expanded_flow_sample")) samples.add(s);
            }
        }
        return samples;
    }

    private static final Set<String> AKVORADO_KEYS = new TreeSet<>(List.of(
            "bytes", "packets", "sampling_rate", "exporter_address", "src_addr", "dst_addr", "src_mac", "dst_mac",
            "src_port", "dst_port", "etype", "proto", "ip_tos", "ip_ttl", "ipv6_flow_label", "tcp_flags", "src_as",
            "dst_as", "ip_fragment_id", "ip_fragment_offset", "icmpv4_type", "icmpv4_code", "icmpv6_type",
            "icmpv6_code", "src_net_mask", "dst_net_mask", "dst_as_path", "dst_communities", "next_hop", "in_if",
            "out_if", "forwarding_status", "src_vlan", "dst_vlan", "mpls_labels"));

    /**
     * Compares one flow: every key the expectation lists, and (unless {@code presentOnly}) every other
     * key Akvorado knows, which it then expects to be zero/empty.
     */
    private static void compare(String where, JsonNode expected, Map<String, Object> ours, JsonNode sample,
            boolean presentOnly, Convention convention) {
        Set<String> keys = new TreeSet<>();
        expected.fieldNames().forEachRemaining(keys::add);
        if (!presentOnly) keys.addAll(AKVORADO_KEYS);
        for (String key : keys) {
            if (convention == Convention.GOFLOW_ERA && key.equals("sequence_num")) continue; // checked by the caller
            Object want = normalise(expected.get(key), key);
            Object got = akvoradoValue(key, ours, sample, convention);
            assertEquals(want, got, where + ": " + key + " (our flow: " + ours + ")");
        }
    }

    private static Object normalise(JsonNode v, String key) {
        if (v == null || v.isNull()) return zeroOf(key);
        if (v.isArray()) return longs(v);
        if (v.isNumber()) return v.asLong();
        return v.asText();
    }

    private static Object zeroOf(String key) {
        return switch (key) {
            case "exporter_address", "src_addr", "dst_addr", "src_mac", "dst_mac", "next_hop" -> "";
            case "dst_as_path", "dst_communities", "mpls_labels" -> List.of();
            default -> 0L;
        };
    }

    /** Our value of one Akvorado key, each convention difference spelled out. */
    static Object akvoradoValue(String key, Map<String, Object> f, JsonNode sample, Convention convention) {
        switch (key) {
            // Same meaning, same name.
            case "packets", "sampling_rate", "src_port", "dst_port", "etype", "proto", "ip_tos", "ip_ttl",
                    "ipv6_flow_label", "tcp_flags", "src_as", "dst_as", "vlan_id" -> {
                return num(f, key);
            }
            case "src_addr", "dst_addr", "src_mac", "dst_mac" -> {
                return text(f, key);
            }
            // Akvorado: bytes = L3 length, our l3_length for a raw packet header (our bytes is the frame
            // length, goflow2's meaning); a sampled_ipv4/ipv6 record's length is bytes for both. The
            // goflow-era decoder reported the frame length, as our bytes.
            case "bytes" -> {
                if (convention == Convention.GOFLOW_ERA) return num(f, "bytes");
                return "1".equals(lastOf(sample, 1, 3, 4)) ? num(f, "l3_length") : num(f, "bytes");
            }
            // Akvorado's "exporter" of an sFlow flow is the agent: our sampler_address.
            case "exporter_address" -> {
                return text(f, "sampler_address");
            }
            case "ip_fragment_id" -> {
                return num(f, "fragment_id");
            }
            case "ip_fragment_offset" -> {
                return num(f, "fragment_offset");
            }
            // The goflow-era decoder reported the raw 16-bit flags+offset word.
            case "fragment_offset" -> {
                return (num(f, "ip_flags") << 13) | num(f, "fragment_offset");
            }
            // One ICMP type/code pair in goflow2's schema, split by IP version in Akvorado's.
            case "icmpv4_type" -> {
                return num(f, "proto") == 1 ? num(f, "icmp_type") : 0L;
            }
            case "icmpv4_code" -> {
                return num(f, "proto") == 1 ? num(f, "icmp_code") : 0L;
            }
            case "icmpv6_type" -> {
                return num(f, "proto") == 58 ? num(f, "icmp_type") : 0L;
            }
            case "icmpv6_code" -> {
                return num(f, "proto") == 58 ? num(f, "icmp_code") : 0L;
            }
            case "src_net_mask" -> {
                return num(f, "src_net");
            }
            case "dst_net_mask" -> {
                return num(f, "dst_net");
            }
            case "dst_as_path" -> {
                return longs(f.get("as_path"));
            }
            case "dst_communities" -> {
                return longs(f.get("bgp_communities"));
            }
            case "mpls_labels" -> {
                return longs(f.get("mpls_label"));
            }
            // Akvorado has one next hop, written by the router (1002) and the gateway (1003) records
            // alike, the later record winning; goflow2's schema keeps them apart (next_hop, bgp_next_hop).
            case "next_hop" -> {
                String last = lastOf(sample, 1002, 1003);
                if (last == null) return "";
                return text(f, last.equals("1002") ? "next_hop" : "bgp_next_hop");
            }
            // Akvorado reports 0 for the local interface (0x3FFFFFFF) and for the discarded/multiple
            // formats; we keep the value and the format bits (in_if_format/out_if_format).
            case "in_if" -> {
                return akvoradoInterface(interfaceValue(f, "in_if"), num(f, "in_if_format"));
            }
            case "out_if" -> {
                return akvoradoInterface(interfaceValue(f, "out_if"), num(f, "out_if_format"));
            }
            // Akvorado turns a discard reason (out_if_format 1, out_if = reason) into an IPFIX
            // forwarding status; we keep the raw reason.
            case "forwarding_status" -> {
                return num(f, "out_if_format") == 1 ? akvoradoForwardingStatus(interfaceValue(f, "out_if")) : 0L;
            }
            // Akvorado's src/dst VLAN come from the extended switch record when the sample has one,
            // else from the 802.1Q tag of the sampled header, which goflow2's schema calls vlan_id.
            // Akvorado leaves a VLAN >= 4096 (0xFFFFFFFF "unknown") at 0; ours is as written (goflow2's meaning).
            case "src_vlan", "dst_vlan" -> {
                if (lastOf(sample, 1001) == null) return num(f, "vlan_id");
                long v = num(f, key);
                return v < 4096 ? v : 0L;
            }
            default -> {
                fail("no mapping for expected key " + key);
                return null;
            }
        }
    }

    /**
     * The interface value without its format bits: our in_if/out_if of a compact sample is the whole
     * word (goflow2's meaning), of an expanded one the value; a non-zero format means a value < 2^30.
     */
    static long interfaceValue(Map<String, Object> f, String key) {
        long v = num(f, key);
        return num(f, key + "_format") != 0 ? v & 0x3FFFFFFFL : v;
    }

    private static long akvoradoInterface(long value, long format) {
        return format == 0 && value != INTERFACE_LOCAL ? value : 0;
    }

    /** Akvorado's sflowDiscardReasonToForwardingStatus (outlet/flow/decoder/sflow/decode.go), 128 otherwise. */
    private static long akvoradoForwardingStatus(long reason) {
        return switch ((int) reason) {
            case 0, 1, 2, 3, 5, 6, 7, 263 -> 131;
            case 4 -> 133;
            case 8 -> 132;
            case 9, 10 -> 129;
            case 257 -> 137;
            case 258, 269 -> 130;
            case 259 -> 143;
            case 260 -> 139;
            case 261 -> 138;
            case 262 -> 135;
            case 302 -> 140;
            default -> 128;
        };
    }

    /** The format (as text) of the last record of the sample among {@code formats}, null if none. */
    private static String lastOf(JsonNode sample, int... formats) {
        String last = null;
        for (JsonNode r : sample.get("records")) {
            int format = r.get("format").asInt();
            for (int f : formats) if (format == f && r.get("enterprise").asInt() == 0) last = Integer.toString(f);
        }
        return last;
    }

    /** The summary's interface words agree with our value + format fields, format bits included. */
    @ParameterizedTest
    @ValueSource(strings = {
            "akvorado/sflow/data-discard-interface",
            "akvorado/sflow/data-local-interface",
            "akvorado/sflow/data-multiple-interfaces",
            "akvorado/sflow/data-qinq"})
    void interfaceFormatBitsAsTsharkDecodesThem(String capture) {
        List<JsonNode> samples = flowSamples(SflowCaptures.json(capture + ".summary.json"));
        List<Map<String, Object>> flows = SflowCaptures.replay(SflowCaptures.sflowOnly(),
                List.of(SflowCaptures.dataFile(capture)));
        assertEquals(samples.size(), flows.size());
        for (int i = 0; i < samples.size(); i++) {
            JsonNode s = samples.get(i);
            Map<String, Object> f = flows.get(i);
            assertEquals(s.get("output").asLong(), interfaceValue(f, "out_if"), "out_if value");
            assertEquals(s.get("output_format").asLong(), num(f, "out_if_format"), "out_if_format");
            assertEquals(s.get("input").asLong(), interfaceValue(f, "in_if"), "in_if value");
            assertEquals(s.path("input_format").asLong(0), num(f, "in_if_format"), "in_if_format");
            if ("flow_sample".equals(s.path("type").asText())) { // compact sample: the whole word, format bits included, as goflow2 reports it
                assertEquals(s.get("output_format").asLong() << 30 | s.get("output").asLong(), num(f, "out_if"), "out_if word");
            }
        }
        if (capture.endsWith("local-interface")) assertEquals(INTERFACE_LOCAL, num(flows.getFirst(), "out_if"));
        if (capture.endsWith("discard-interface")) assertEquals(1, num(flows.getFirst(), "out_if_format"));
        if (capture.endsWith("multiple-interfaces")) assertEquals(2, num(flows.getFirst(), "out_if_format"));
        assertTrue(flows.stream().allMatch(f -> "SFLOW_5".equals(f.get("type"))));
    }
}

package io.sluice.decode.netflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.packet.Decapsulation;
import io.sluice.testing.CaptureReplay;
import io.sluice.testing.Captures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every NetFlow / IPFIX capture of ../shared/captures replayed through the `sluice decode` code path
 * ({@link CaptureReplay#decode}), compared with every field its expected.json lists, and flow counts
 * compared with tshark's independent decode where the peer checked only some flows.
 *
 * <p>The expected files use Akvorado's names and conventions; {@link #ours} maps each one explicitly.
 */
class NetflowCaptureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Every field Akvorado models for NetFlow/IPFIX flows (expected-file names). A field an expected flow
     * does not list is one Akvorado expects zero/empty, so ours must be zero/empty too.
     */
    private static final List<String> MODELLED = List.of("bytes", "packets", "src_addr", "dst_addr", "src_port",
            "dst_port", "proto", "etype", "in_if", "out_if", "src_mac", "dst_mac", "src_vlan", "dst_vlan", "ip_tos",
            "ip_ttl", "tcp_flags", "forwarding_status", "ipv6_flow_label", "ip_fragment_id", "src_as", "dst_as",
            "src_net_mask", "dst_net_mask", "next_hop", "mpls_labels", "ingress_vrf_id", "egress_vrf_id",
            "flow_direction", "sampling_rate", "icmpv4_type", "icmpv6_type", "exporter_address");

    /**
     * Expected keys not compared, each for a stated reason:
     * time_received: its value is the placeholder "ts" (Akvorado's receive-time switch, not a value);
     * *_nat: sluice's schema (goflow2's FlowMessage + sluice fields) has no post-NAT fields.
     */
    private static final Set<String> NOT_COMPARED = Set.of("time_received", "src_addr_nat", "dst_addr_nat",
            "src_port_nat", "dst_port_nat");

    /** Which flows of a scenario Akvorado's test compares: from index {@code first}, {@code count} flows. */
    private record Checked(int first, int count, boolean anyOrder) {}

    /** Transcribed from each file's "flows_checked" text. */
    private static final Map<String, Checked> CHECKED = Map.ofEntries(
            Map.entry("data", new Checked(0, 4, false)),
            Map.entry("datalink-data", new Checked(0, 1, false)),
            Map.entry("ethernet-over-mpls-with-control-word-data", new Checked(3, 1, false)), // only flow #4
            Map.entry("icmp-data", new Checked(0, 4, false)),
            Map.entry("ipfix-srv6-data", new Checked(0, 1, false)),
            Map.entry("ipfixprobe-data", new Checked(0, 6, true)), // "order-insensitive"
            Map.entry("juniper-cpid-data", new Checked(0, 1, false)),
            Map.entry("mpls", new Checked(0, 2, false)),
            Map.entry("multiplesamplingrates-data", new Checked(0, 2, false)),
            Map.entry("nat", new Checked(0, 1, false)),
            Map.entry("nfv5", new Checked(0, 1, false)),
            Map.entry("physicalinterfaces", new Checked(0, 1, false)),
            Map.entry("samplingrate-data", new Checked(0, 1, false)));

    /**
     * Flows sluice emits beyond tshark's rows for the whole replay sequence, each for a stated reason.
     * ipfixprobe-data: RFC 5103 biflows with reverse counters become two flows (tshark: one row each);
     * data+templates: its first data set precedes its template in the same PDU (tshark cannot decode it;
     * sluice parks it and decodes its 11 records once the template is learnt; Akvorado drops the PDU).
     */
    private static final Map<String, Integer> BEYOND_TSHARK = Map.of("ipfixprobe-data", 2, "data+templates", 11);

    @TestFactory
    Stream<DynamicTest> akvoradoNetflowCaptures() throws IOException {
        Path dir = Captures.captures().resolve("akvorado/netflow");
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".expected.json")).sorted().toList()) {
                String name = file.getFileName().toString().replace(".expected.json", "");
                JsonNode root = JSON.readTree(file.toFile());
                for (JsonNode scenario : root.get("scenarios")) {
                    tests.add(DynamicTest.dynamicTest(name + ": " + scenario.get("test").asText(),
                            () -> checkScenario(dir, name, scenario)));
                }
            }
        }
        assertTrue(tests.size() >= 26, "expected files found: " + tests.size());
        return tests.stream();
    }

    private void checkScenario(Path dir, String name, JsonNode scenario) throws IOException {
        List<String> sequence = new ArrayList<>();
        scenario.get("replay_sequence").forEach(n -> sequence.add(n.asText()));
        JsonNode options = scenario.get("decoder_options");
        // Akvorado's decoder option (e.g. "SRv6") is sluice's Decapsulation of the same name.
        String decap = options == null ? "" : options.path("decapsulation").asText("");
        NetflowConfig config = NetflowConfig.defaults()
                .withDecapsulation(decap.isEmpty() ? Decapsulation.NONE : Decapsulation.valueOf(decap.toUpperCase()));
        NetflowDecoders decoders = new NetflowDecoders(config);
        List<Map<String, Object>> flows = replay(decoders, dir, sequence);

        int tsharkRows = 0;
        for (String f : sequence) tsharkRows += tsharkRows(dir.resolve(f.replace(".pcap", ".tshark.csv")));
        assertEquals(tsharkRows + BEYOND_TSHARK.getOrDefault(name, 0), flows.size(), name + ": flow count");

        JsonNode expected = scenario.path("expected_flows");
        if (expected.isMissingNode() || expected.isEmpty()) {
            assertNotNull(scenario.get("flows_checked"), name);
        } else {
            Checked checked = CHECKED.get(name);
            assertNotNull(checked, name + " has expected flows but no entry in CHECKED");
            assertEquals(checked.count(), expected.size(), name + ": expected flows vs CHECKED");
            String exporter = exporterOf(dir, sequence.getLast());
            // With decapsulation, Akvorado reports no MACs; sluice's parser keeps the frame's Ethernet
            // MACs for an IP tunnel (the outer frame is what was seen on the wire). Those are taken from
            // tshark's independent decode of the same frame section, row by row.
            List<String[]> tshark = tsharkRowsOf(dir.resolve(sequence.getLast().replace(".pcap", ".tshark.csv")));
            boolean decapsulated = config.decapsulation() != Decapsulation.NONE;
            List<Map<String, Object>> candidates = flows.subList(checked.first(), checked.first() + checked.count());
            List<Map<String, Object>> unmatched = new ArrayList<>(candidates);
            for (int i = 0; i < expected.size(); i++) {
                JsonNode want = expected.get(i);
                if (decapsulated) {
                    var copy = want.deepCopy();
                    String[] row = tshark.get(checked.first() + i);
                    ((com.fasterxml.jackson.databind.node.ObjectNode) copy).put("src_mac", row[25]).put("dst_mac", row[26]);
                    assertTrue(want.path("src_mac").isMissingNode() && want.path("dst_mac").isMissingNode());
                    want = copy;
                }
                if (checked.anyOrder()) {
                    JsonNode w = want;
                    Map<String, Object> match = unmatched.stream().filter(f -> mismatch(w, f, exporter) == null)
                            .findFirst().orElse(null);
                    if (match == null) fail(name + ": no flow matches expected " + w + " among " + unmatched);
                    unmatched.remove(match);
                } else {
                    String problem = mismatch(want, candidates.get(i), exporter);
                    if (problem != null) fail(name + " flow " + (checked.first() + i) + ": " + problem
                            + "\n expected " + want + "\n actual   " + candidates.get(i));
                }
            }
        }

        // Templates learnt: one per templates_total counter Akvorado reports after the sequence.
        int templates = 0;
        for (JsonNode c : scenario.path("akvorado_counters_after_this_capture")) {
            if ("templates_total".equals(c.path("counter").asText())) templates++;
        }
        if (templates > 0) assertEquals(templates, decoders.templateStore().templateCount(), name + ": templates");

        // RFC 3954 flow start times (export time - sysUptime + first switched), where the file lists them.
        JsonNode starts = scenario.path("timestamps").path("rfc3954_flow_start_unix_s");
        for (int i = 0; i < starts.size(); i++) {
            long wantMs = Math.round(starts.get(i).asDouble() * 1000);
            assertEquals(wantMs * 1_000_000L, number(flows.get(i).get("time_flow_start_ns")), name + " start " + i);
        }
    }

    /** Null when {@code actual} has every field of {@code want} (and zero for the modelled ones it omits). */
    private static String mismatch(JsonNode want, Map<String, Object> actual, String exporter) {
        var names = want.fieldNames();
        while (names.hasNext()) {
            String key = names.next();
            if (!MODELLED.contains(key) && !NOT_COMPARED.contains(key)) return "expected key not mapped: " + key;
        }
        for (String key : MODELLED) {
            Object wantValue = expectedValue(want, key, exporter);
            Object ourValue = ours(actual, key);
            if (!wantValue.equals(ourValue)) return key + ": expected " + wantValue + ", ours " + ourValue;
        }
        return null;
    }

    /** The expected value normalised: absent = 0 / "" / []; numbers as Long. */
    private static Object expectedValue(JsonNode want, String key, String exporter) {
        JsonNode v = want.get(key);
        if (key.equals("exporter_address")) {
            // Akvorado's tests inject 127.0.0.1 as the UDP source; sluice uses the pcap's real UDP source.
            assertEquals("127.0.0.1", v.asText());
            return exporter;
        }
        if (v == null) return zeroOf(key);
        if (v.isArray()) {
            List<Long> list = new ArrayList<>();
            v.forEach(n -> list.add(n.asLong()));
            return list;
        }
        if (v.isNumber()) return v.asLong();
        return v.asText();
    }

    private static Object zeroOf(String key) {
        return switch (key) {
            case "src_addr", "dst_addr", "next_hop", "src_mac", "dst_mac", "flow_direction", "exporter_address" -> "";
            case "mpls_labels" -> List.of();
            default -> 0L;
        };
    }

    /** Our value for an expected-file key, by the conventions of the expected files. */
    private static Object ours(Map<String, Object> flow, String key) {
        return switch (key) {
            // Akvorado reads a NetFlow v5 header interval of 0 as "unsampled", rate 1; sluice keeps the
            // header's 0 (goflow2's raw value), with source NF5_HEADER saying where it came from.
            case "sampling_rate" -> number(flow.get("sampling_rate")) == 0 && "NF5_HEADER".equals(flow.get("sampling_rate_source"))
                    ? 1L : number(flow.get("sampling_rate"));
            case "src_net_mask" -> number(flow.get("src_net"));
            case "dst_net_mask" -> number(flow.get("dst_net"));
            case "ip_fragment_id" -> number(flow.get("fragment_id"));
            case "mpls_labels" -> {
                List<Long> labels = new ArrayList<>();
                if (flow.get("mpls_label") instanceof List<?> l) l.forEach(x -> labels.add(number(x)));
                yield labels;
            }
            // Akvorado: "ingress"/"egress"; ours: flow_direction 0/1, absent when not exported.
            case "flow_direction" -> flow.get("flow_direction") == null ? ""
                    : number(flow.get("flow_direction")) == 0 ? "ingress" : "egress";
            // Akvorado has one ICMP type column per IP version; ours is icmp_type with proto 1 / 58.
            case "icmpv4_type" -> number(flow.get("proto")) == 1 ? number(flow.get("icmp_type")) : 0L;
            case "icmpv6_type" -> number(flow.get("proto")) == 58 ? number(flow.get("icmp_type")) : 0L;
            // Akvorado writes IP and BGP next hops into one next_hop (the BGP one wins where both are
            // exported); sluice keeps them apart as next_hop and bgp_next_hop.
            case "next_hop" -> text(flow.get("bgp_next_hop") != null ? flow.get("bgp_next_hop") : flow.get("next_hop"));
            case "src_addr", "dst_addr", "src_mac", "dst_mac", "exporter_address" -> text(flow.get(key));
            default -> number(flow.get(key));
        };
    }

    static long number(Object o) {
        return o == null ? 0L : ((Number) o).longValue();
    }

    private static String text(Object o) {
        return o == null ? "" : o.toString();
    }

    static List<Map<String, Object>> replay(NetflowDecoders decoders, Path dir, List<String> sequence) {
        VersionDispatch decoder = new VersionDispatch(null, decoders.newNetflowV5(), decoders.newNetflowV9(), decoders.newIpfix());
        return CaptureReplay.decode(decoder, sequence.stream().map(dir::resolve).toList());
    }

    private static List<String[]> tsharkRowsOf(Path csv) throws IOException {
        return Files.readAllLines(csv).stream().skip(1).filter(l -> !l.isBlank()).map(l -> l.split(",", -1)).toList();
    }

    static int tsharkRows(Path csv) throws IOException {
        return (int) Files.readAllLines(csv).stream().skip(1).filter(l -> !l.isBlank()).count();
    }

    /** The UDP source of a capture's datagrams, as tshark's summary reports it. */
    private static String exporterOf(Path dir, String capture) throws IOException {
        JsonNode summary = JSON.readTree(dir.resolve(capture.replace(".pcap", ".summary.json")).toFile());
        return summary.get("datagram_details").get(0).get("exporter").asText();
    }

    // ---- goflow2 -----------------------------------------------------------------------------------

    @Test
    void goflow2NetflowV5() throws IOException {
        Path dir = Captures.captures().resolve("goflow2");
        JsonNode expected = JSON.readTree(dir.resolve("nfv5.expected.json").toFile()).get("expected");
        List<Map<String, Object>> flows = replay(new NetflowDecoders(NetflowConfig.defaults()), dir, List.of("nfv5.bin"));
        assertEquals(5, expected.get("header").get("version").asInt());
        assertEquals(expected.get("records_in_packet").asInt(), flows.size());
        assertEquals(tsharkRows(dir.resolve("nfv5.tshark.csv")), flows.size());
        assertEquals(expected.get("first_record").get("input_snmp").asLong(), number(flows.getFirst().get("in_if")));
        assertTrue(flows.stream().allMatch(f -> "NETFLOW_V5".equals(f.get("type"))));
    }

    @Test
    void goflow2NetflowV9() throws IOException {
        Path dir = Captures.captures().resolve("goflow2");
        JsonNode root = JSON.readTree(dir.resolve("nfv9-data260.expected.json").toFile());
        List<String> sequence = new ArrayList<>();
        root.get("replay_sequence").forEach(n -> sequence.add(n.asText()));
        NetflowDecoders decoders = new NetflowDecoders(NetflowConfig.defaults());
        List<Map<String, Object>> flows = replay(decoders, dir, sequence);

        JsonNode header = root.get("expected").get("header");
        assertEquals(header.get("count").asInt(), flows.size(), "v9 header count = records");
        assertEquals(tsharkRows(dir.resolve("nfv9-data260.tshark.csv")), flows.size());
        assertEquals(1, decoders.templateStore().templateCount());
        Map<String, Object> first = flows.getFirst();
        assertEquals(header.get("sequence").asLong(), number(first.get("sequence_num")));
        assertEquals(header.get("source_id").asLong(), number(first.get("source_id")));

        JsonNode r = root.get("expected").get("flowsets").get(0).get("first_record");
        assertEquals(r.get("IN_PKTS").asLong(), number(first.get("packets")));
        assertEquals(r.get("IN_BYTES").asLong(), number(first.get("bytes")));
        assertEquals(r.get("IPV4_SRC_ADDR").asText(), first.get("src_addr"));
        assertEquals(r.get("IPV4_DST_ADDR").asText(), first.get("dst_addr"));
        assertEquals(r.get("INPUT_SNMP").asLong(), number(first.get("in_if")));
        assertEquals(r.get("OUTPUT_SNMP").asLong(), number(first.get("out_if")));
        // FIRST/LAST_SWITCHED are sysUptime ms: time = unix_secs - (sys_uptime - switched).
        long exportMs = header.get("unix_secs").asLong() * 1000, uptime = header.get("sys_uptime_ms").asLong();
        assertEquals((exportMs - (uptime - r.get("FIRST_SWITCHED").asLong())) * 1_000_000L,
                number(first.get("time_flow_start_ns")));
        assertEquals((exportMs - (uptime - r.get("LAST_SWITCHED").asLong())) * 1_000_000L,
                number(first.get("time_flow_end_ns")));
        assertEquals(r.get("L4_SRC_PORT").asLong(), number(first.get("src_port")));
        assertEquals(r.get("L4_DST_PORT").asLong(), number(first.get("dst_port")));
        assertEquals(r.get("SRC_AS").asLong(), number(first.get("src_as")));
        assertEquals(r.get("DST_AS").asLong(), number(first.get("dst_as")));
        assertEquals(r.get("BGP_IPV4_NEXT_HOP").asText(), first.get("bgp_next_hop"));
        assertEquals(r.get("SRC_MASK").asLong(), number(first.get("src_net")));
        assertEquals(r.get("DST_MASK").asLong(), number(first.get("dst_net")));
        assertEquals(r.get("PROTOCOL").asLong(), number(first.get("proto")));
        assertEquals(r.get("TCP_FLAGS").asLong(), number(first.get("tcp_flags")));
        assertEquals(r.get("SRC_TOS").asLong(), number(first.get("ip_tos")));
        assertEquals(r.get("DIRECTION").asLong(), number(first.get("flow_direction")));
        assertEquals(r.get("FORWARDING_STATUS").asLong(), number(first.get("forwarding_status")));
        assertEquals(r.get("ingressVRFID(234)").asLong(), number(first.get("ingress_vrf_id")));
        assertEquals(r.get("egressVRFID(235)").asLong(), number(first.get("egress_vrf_id")));
        // FLOW_SAMPLER_ID 1, but no options data in this sequence: the rate stays unknown.
        assertEquals(1, r.get("FLOW_SAMPLER_ID").asInt());
        assertEquals(0L, number(first.get("sampling_rate")));
    }

    // ---- the 38-datagram IPFIX session: tshark is the only expectation -----------------------------

    @Test
    void ipfixSessionWithMplsLabelsMatchesTshark() throws IOException {
        Path dir = Captures.captures().resolve("akvorado/extra");
        // Two observation domains; each one's template arrives after some of its data (mid-stream capture).
        NetflowDecoders decoders = new NetflowDecoders(NetflowConfig.defaults().withPending(1024, Duration.ofSeconds(60)));
        List<Map<String, Object>> flows = replay(decoders, dir, List.of("ipfix_v10_with_mpls_labels.pcap"));

        List<String> rows = Files.readAllLines(dir.resolve("ipfix_v10_with_mpls_labels.tshark.csv"));
        List<Map<String, Object>> unmatched = new ArrayList<>(flows);
        for (String row : rows.subList(1, rows.size())) {
            String[] c = row.split(",", -1);
            Map<String, Object> match = unmatched.stream().filter(f -> matchesTsharkRow(c, f)).findFirst().orElse(null);
            if (match == null) fail("no flow for tshark row " + row);
            unmatched.remove(match);
        }
        // Beyond tshark's 105 rows: the 3 records of frame 16 (domain 33554432) parked 51 s before that
        // domain's template (frame 17) arrived. Older parked sets (frames 1-5, 7, 9, 12, 14: more than
        // 60 s before their template) expired, and are counted.
        assertEquals(105, rows.size() - 1);
        assertEquals(3, unmatched.size(), "flows beyond tshark's: " + unmatched);
        assertTrue(unmatched.stream().allMatch(f -> number(f.get("source_id")) == 33554432L));
        assertEquals(9, decoders.templateStore().expiredSets());
        assertEquals(0, decoders.templateStore().pendingSets());
        // Every flow's rate comes from its domain's options: samplingPacketInterval 1 / space 9 -> 10.
        for (Map<String, Object> f : flows) {
            assertEquals(10L, number(f.get("sampling_rate")), f.toString());
            assertEquals("PACKET_INTERVAL", f.get("sampling_rate_source"));
        }
    }

    private static boolean matchesTsharkRow(String[] c, Map<String, Object> f) {
        List<Long> labels = new ArrayList<>();
        for (String part : c[29].split(";")) {
            if (part.startsWith("mpls_label=")) {
                for (String l : part.substring("mpls_label=".length()).split("\\|")) {
                    if (!l.equals("0")) labels.add(Long.parseLong(l));
                }
            }
        }
        List<Long> ourLabels = new ArrayList<>();
        if (f.get("mpls_label") instanceof List<?> l) l.forEach(x -> ourLabels.add(number(x)));
        String nextHop = text(f.get("bgp_next_hop") != null ? f.get("bgp_next_hop") : f.get("next_hop"));
        return Long.parseLong(c[5]) == number(f.get("source_id"))
                && c[6].equals(f.get("src_addr")) && c[7].equals(f.get("dst_addr"))
                && Long.parseLong(c[8]) == number(f.get("src_port")) && Long.parseLong(c[9]) == number(f.get("dst_port"))
                && Long.parseLong(c[10]) == number(f.get("proto"))
                && Long.parseLong(c[11]) == number(f.get("bytes")) && Long.parseLong(c[12]) == number(f.get("packets"))
                && orZero(c[13]) == number(f.get("in_if")) && orZero(c[14]) == number(f.get("out_if"))
                && Long.decode(c[18]) == number(f.get("tcp_flags"))
                && c[21].equals(nextHop)
                && orZero(c[24]) == number(f.get("flow_direction"))
                && labels.equals(ourLabels);
    }

    private static long orZero(String s) {
        return s.isEmpty() ? 0 : Long.parseLong(s);
    }
}

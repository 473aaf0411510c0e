package io.sluice.decode.sflow;

import static io.sluice.decode.sflow.SflowCaptures.longs;
import static io.sluice.decode.sflow.SflowCaptures.num;
import static io.sluice.decode.sflow.SflowCaptures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * A second, independent opinion: tshark 4.0's decode of every flow sample of every sFlow capture
 * (X.tshark.csv, one row per flow sample) against our flows, column by column. The column meanings
 * are in ../shared/captures/README.md; where tshark shows a raw value and goflow2's schema a derived
 * one, the derivation is written out below.
 */
class SflowTsharkCrossCheckTest {

    @ParameterizedTest
    @FieldSource("io.sluice.decode.sflow.SflowCaptures#WITH_FLOW_SAMPLES")
    void everyFlowSampleAsTsharkDecodesIt(String capture) {
        List<Map<String, String>> rows = SflowCaptures.tsharkRows(capture);
        List<Map<String, Object>> flows = SflowCaptures.replay(SflowCaptures.sflowOnly(),
                List.of(SflowCaptures.dataFile(capture)));
        assertEquals(rows.size(), flows.size(), "one flow per flow sample");
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> row = rows.get(i);
            Map<String, Object> f = flows.get(i);
            Map<String, String> note = note(row.get("note"));
            String where = capture + " row " + i + " " + f;
            assertEquals(row.get("src_addr"), text(f, "src_addr"), where);
            assertEquals(row.get("dst_addr"), text(f, "dst_addr"), where);
            assertEquals(number(row.get("src_port")), num(f, "src_port"), where);
            assertEquals(number(row.get("dst_port")), num(f, "dst_port"), where);
            assertEquals(number(row.get("proto")), num(f, "proto"), where);
            // tshark's bytes column is the raw header's frame_length: our bytes (goflow2's meaning) and
            // frame_length; its l3_len is our l3_length (0 when the sampled frame carries no IP packet).
            assertEquals(number(row.get("bytes")), num(f, "frame_length"), where);
            // A sampled_ipv4 record after the header sets bytes to its length, as in goflow2 (later record wins).
            long bytes = note.containsKey("ipv4_data_len") ? number(note.get("ipv4_data_len")) : number(row.get("bytes"));
            assertEquals(bytes, num(f, "bytes"), where);
            long l3 = row.get("l3_len").isEmpty() ? 0 : number(row.get("l3_len"));
            assertEquals(l3, num(f, "l3_length"), where);
            assertEquals(number(row.get("packets")), num(f, "packets"), where);
            // tshark strips the format bits (out_fmt in the note when non-zero); our in_if/out_if of a
            // compact sample is the whole word, as goflow2's, so compare the value part.
            assertEquals(number(row.get("in_if")), SflowAkvoradoCaptureTest.interfaceValue(f, "in_if"), where);
            assertEquals(number(row.get("out_if")), SflowAkvoradoCaptureTest.interfaceValue(f, "out_if"), where);
            assertEquals(number(note.getOrDefault("out_fmt", "0")), num(f, "out_if_format"), where);
            assertEquals(number(row.get("sampling_rate")), num(f, "sampling_rate"), where);
            // Extended switch VLANs, raw in tshark and in ours (goflow2 keeps 0xFFFFFFFF "unknown" as written).
            assertEquals(vlan(row.get("src_vlan")), num(f, "src_vlan"), where);
            assertEquals(vlan(row.get("dst_vlan")), num(f, "dst_vlan"), where);
            // The innermost 802.1Q tag of the sampled header.
            String[] tags = note.getOrDefault("hdr_vlans", "").split(" ");
            assertEquals(number(tags[tags.length - 1]), num(f, "vlan_id"), where);
            assertEquals(row.get("tcp_flags").isEmpty() ? 0 : Long.decode(row.get("tcp_flags")), num(f, "tcp_flags"),
                    where);
            assertEquals(row.get("src_mac"), text(f, "src_mac"), where);
            assertEquals(row.get("dst_mac"), text(f, "dst_mac"), where);
            assertEquals(row.get("next_hop"), text(f, "next_hop"), where);
            assertEquals(number(row.get("src_mask")), num(f, "src_net"), where);
            assertEquals(number(row.get("dst_mask")), num(f, "dst_net"), where);
            // Gateway record: tshark shows the raw fields; goflow2's schema derives src_as/dst_as from
            // them (src_as 0 -> the router's AS; dst_as = last AS of the path, the router's AS if empty).
            if (note.containsKey("gw_as")) {
                long routerAs = number(note.get("gw_as"));
                long srcAs = number(row.get("src_as"));
                List<Long> path = numbers(note.get("as_path"));
                assertEquals(srcAs != 0 ? srcAs : routerAs, num(f, "src_as"), where);
                assertEquals(path.isEmpty() ? routerAs : path.getLast(), num(f, "dst_as"), where);
                assertEquals(path, longs(f.get("as_path")), where);
                assertEquals(numbers(note.get("communities")), longs(f.get("bgp_communities")), where);
                assertEquals(note.get("bgp_nh"), text(f, "bgp_next_hop"), where);
                assertEquals(number(note.get("gw_peer_as")), num(f, "src_peer_as"), where);
            } else {
                assertEquals(0, num(f, "src_as"), where);
                assertEquals(0, num(f, "dst_as"), where);
                assertEquals("", text(f, "bgp_next_hop"), where);
            }
        }
    }

    private static Map<String, String> note(String note) {
        Map<String, String> out = new HashMap<>();
        if (note == null || note.isEmpty()) return out;
        for (String part : note.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) out.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return out;
    }

    private static long number(String s) {
        return s == null || s.isEmpty() ? 0 : Long.parseLong(s.trim());
    }

    private static long vlan(String s) {
        return number(s);
    }

    private static List<Long> numbers(String s) {
        List<Long> out = new ArrayList<>();
        if (s == null) return out;
        for (String part : s.trim().split(" ")) if (!part.isEmpty()) out.add(Long.parseLong(part));
        return out;
    }
}

package io.sluice.decode.sflow;

import static io.sluice.decode.sflow.SflowCaptures.num;
import static io.sluice.decode.sflow.SflowCaptures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.flow.pb.CounterMessage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tcpdump's test captures against what tcpdump prints for them (tests/*.out, transcribed to
 * X.expected.json): per datagram the agent, sub-agent id, sequence, uptime and sample count; per flow
 * sample its sequence, rate, input/output words and records; per counter sample every counter value.
 * The flows are also replayed through the `sluice decode` path and must match the per-datagram ones.
 */
class SflowTcpdumpCaptureTest {

    @ParameterizedTest
    @ValueSource(strings = {"tcpdump/sflow-print-v6", "tcpdump/sflow_expanded", "tcpdump/sflow_multiple_counter_30_pdus",
            "tcpdump/sflow_print-segv"})
    void everyDatagramAsTcpdumpPrintsIt(String capture) {
        JsonNode expected = SflowCaptures.json(capture + ".expected.json");
        List<SflowCaptures.DecodedDatagram> ours = SflowCaptures.perDatagram(SflowCaptures.dataFile(capture));
        JsonNode datagrams = expected.get("datagrams");
        assertEquals(datagrams.size(), ours.size(), "datagrams");
        List<Map<String, Object>> allFlows = new ArrayList<>();
        for (int i = 0; i < ours.size(); i++) {
            JsonNode e = datagrams.get(i);
            SflowCaptures.DecodedDatagram d = ours.get(i);
            String where = capture + " frame " + e.get("frame").asInt();
            allFlows.addAll(d.flows());
            if (e.has("tcpdump_says")) {
                refused(where, e.get("tcpdump_says").asText(), d);
                continue;
            }
            assertEquals(0, d.stats().totalErrors(), where + ": errors");
            assertEquals(e.get("agent").asText(), d.agent(), where);
            assertEquals(e.get("agent_id").asLong(), d.subAgentId(), where);
            assertEquals(e.get("sequence").asLong(), d.sequence(), where);
            assertEquals(e.get("uptime_ms").asLong(), d.uptimeMs(), where);
            assertEquals(e.get("num_samples").asLong(), d.declaredSamples(), where);
            assertEquals(e.get("length").asInt(), d.captured().payload().length, where);
            int flowIndex = 0;
            int counterIndex = 0;
            for (JsonNode sample : e.get("samples")) {
                String type = sample.get("type").asText();
                switch (type) {
                    case "flow sample", "expanded flow sample" ->
                            flowSample(where, sample, d.flows().get(flowIndex++), d.agent());
                    case "counter sample", "expanded counter sample" -> {
                        for (JsonNode record : sample.get("records")) {
                            counterRecord(where, sample, record, d.counters().get(counterIndex++), d);
                        }
                    }
                    default -> throw new AssertionError("sample type " + type);
                }
            }
            assertEquals(flowIndex, d.flows().size(), where + ": flows");
            assertEquals(counterIndex, d.counters().size(), where + ": counter records");
        }
        // The decode command's path yields the same flows, in the same order.
        List<Map<String, Object>> replayed = SflowCaptures.replay(SflowCaptures.sflowOnly(),
                List.of(SflowCaptures.dataFile(capture)));
        assertEquals(allFlows, replayed);
    }

    /** Datagrams tcpdump refuses: NetFlow v5 sent to the sFlow port, and the fuzzed 8-byte datagram. */
    private static void refused(String where, String tcpdumpSays, SflowCaptures.DecodedDatagram d) {
        assertTrue(d.flows().isEmpty() && d.counters().isEmpty(), where);
        DecodeError reason = tcpdumpSays.contains("not supported") ? DecodeError.BAD_VERSION : DecodeError.TRUNCATED;
        assertEquals(1, d.stats().errors(reason), where + ": " + tcpdumpSays);
        assertEquals(1, d.stats().totalErrors(), where);
    }

    private static void flowSample(String where, JsonNode sample, Map<String, Object> f, String agent) {
        where += " flow sample " + sample.get("sequence");
        assertEquals(agent, text(f, "sampler_address"), where);
        assertEquals(sample.get("sequence").asLong(), num(f, "sample_sequence"), where);
        assertEquals(sample.get("rate").asLong(), num(f, "sampling_rate"), where);
        if (sample.has("input_format")) { // expanded: separate format words
            assertEquals(sample.get("input").asLong(), num(f, "in_if"), where);
            assertEquals(sample.get("output").asLong(), num(f, "out_if"), where);
            assertEquals(sample.get("input_format").asLong(), num(f, "in_if_format"), where);
            assertEquals(sample.get("output_format").asLong(), num(f, "out_if_format"), where);
        } else { // compact: tcpdump prints the raw words, format in the top 2 bits
            assertEquals(sample.get("input").asLong(), num(f, "in_if_format") << 30 | num(f, "in_if"), where);
            assertEquals(sample.get("output").asLong(), num(f, "out_if_format") << 30 | num(f, "out_if"), where);
        }
        for (JsonNode record : sample.get("records")) {
            JsonNode v = record.get("values");
            switch (record.get("format").asInt()) {
                case 1 -> assertEquals(v.get("length").asLong(), num(f, "frame_length"), where);
                case 1001 -> {
                    assertEquals(v.get("src vlan").asLong(), num(f, "src_vlan"), where);
                    assertEquals(v.get("dst vlan").asLong(), num(f, "dst_vlan"), where);
                }
                default -> { } // tcpdump -v prints no values for gateway/router records
            }
        }
    }

    private static void counterRecord(String where, JsonNode sample, JsonNode record, CounterMessage m,
            SflowCaptures.DecodedDatagram d) {
        where += " counter sample " + sample.get("sequence") + " record " + record.get("format");
        assertEquals(sample.get("sequence").asLong(), Integer.toUnsignedLong(m.getSequenceNum()), where);
        assertEquals(sample.get("source_id_type").asLong(), m.getSourceIdType(), where);
        assertEquals(sample.get("source_id_index").asLong(), m.getSourceIdIndex(), where);
        assertEquals(d.sequence(), Integer.toUnsignedLong(m.getDatagramSequence()), where);
        assertEquals(d.subAgentId(), m.getSubAgentId(), where);
        JsonNode v = record.get("values");
        switch (record.get("name").asText()) {
            case "Generic counter" -> {
                assertEquals(CounterMessage.RecordCase.GENERIC_INTERFACE, m.getRecordCase(), where);
                CounterMessage.GenericInterface g = m.getGenericInterface();
                for (String[] alias : GENERIC) assertEquals(v.get(alias[0]).asLong(), field(g, alias[1]), where + " " + alias[0]);
                // tcpdump splits ifStatus into admin (bit 0) and oper (bit 1) status.
                assertEquals(v.get("adminstatus").asText(), (g.getIfStatus() & 1) != 0 ? "up" : "down", where);
                assertEquals(v.get("operstatus").asText(), (g.getIfStatus() & 2) != 0 ? "up" : "down", where);
            }
            case "Ethernet counter" -> {
                assertEquals(CounterMessage.RecordCase.ETHERNET_INTERFACE, m.getRecordCase(), where);
                for (String[] alias : ETHERNET) {
                    assertEquals(v.get(alias[0]).asLong(), field(m.getEthernetInterface(), alias[1]), where + " " + alias[0]);
                }
            }
            case "Unknown" -> { // host-sFlow 2000-2006 here: kept raw, whole
                assertEquals(CounterMessage.RecordCase.RAW, m.getRecordCase(), where);
                assertEquals(record.get("enterprise").asInt(), m.getRaw().getEnterprise(), where);
                assertEquals(record.get("format").asInt(), m.getRaw().getFormat(), where);
                assertEquals(record.get("length").asInt(), m.getRaw().getData().size(), where);
            }
            default -> throw new AssertionError("record " + record);
        }
    }

    /** tcpdump's label -> CounterMessage.GenericInterface field. */
    private static final String[][] GENERIC = {
            {"ifindex", "if_index"}, {"iftype", "if_type"}, {"ifspeed", "if_speed"}, {"ifdirection", "if_direction"},
            {"ifstatus", "if_status"}, {"In octets", "if_in_octets"}, {"In unicast pkts", "if_in_ucast_pkts"},
            {"In multicast pkts", "if_in_multicast_pkts"}, {"In broadcast pkts", "if_in_broadcast_pkts"},
            {"In discards", "if_in_discards"}, {"In errors", "if_in_errors"},
            {"In unknown protos", "if_in_unknown_protos"}, {"Out octets", "if_out_octets"},
            {"Out unicast pkts", "if_out_ucast_pkts"}, {"Out multicast pkts", "if_out_multicast_pkts"},
            {"Out broadcast pkts", "if_out_broadcast_pkts"}, {"Out discards", "if_out_discards"},
            {"Out errors", "if_out_errors"}, {"promisc mode", "if_promiscuous_mode"}};

    /** tcpdump's label -> CounterMessage.EthernetInterface field. */
    private static final String[][] ETHERNET = {
            {"align errors", "dot3_stats_alignment_errors"}, {"fcs errors", "dot3_stats_fcs_errors"},
            {"single collision", "dot3_stats_single_collision_frames"},
            {"multiple collision", "dot3_stats_multiple_collision_frames"},
            {"test error", "dot3_stats_sqe_test_errors"}, {"deferred", "dot3_stats_deferred_transmissions"},
            {"late collision", "dot3_stats_late_collisions"}, {"excessive collision", "dot3_stats_excessive_collisions"},
            {"mac trans error", "dot3_stats_internal_mac_transmit_errors"},
            {"carrier error", "dot3_stats_carrier_sense_errors"}, {"frames too long", "dot3_stats_frame_too_longs"},
            {"mac receive errors", "dot3_stats_internal_mac_receive_errors"},
            {"symbol errors", "dot3_stats_symbol_errors"}};

    /** A uint32/uint64 protobuf field by name, unsigned. */
    private static long field(Message m, String name) {
        Descriptors.FieldDescriptor fd = m.getDescriptorForType().findFieldByName(name);
        if (fd == null) throw new AssertionError("no field " + name);
        Object v = m.getField(fd);
        return v instanceof Integer i ? Integer.toUnsignedLong(i) : (Long) v;
    }

    /** NetFlow v5 datagrams sent to 6343 are refused by the dispatcher's sFlow-only setup, counted, not crashed on. */
    @Test
    void netflowOnTheSflowPortIsCountedAsBadVersion() throws IOException {
        DecodeStats stats = io.sluice.cli.DecodeCommand.decode(SflowCaptures.sflowOnly(),
                List.of(SflowCaptures.dataFile("tcpdump/sflow_multiple_counter_30_pdus")), new StringBuilder());
        assertEquals(5, stats.errors(DecodeError.BAD_VERSION));
        assertEquals(5, stats.totalErrors());
        assertEquals(25, stats.datagrams(io.sluice.decode.Protocol.SFLOW5));
        DecodeStats segv = io.sluice.cli.DecodeCommand.decode(SflowCaptures.sflowOnly(),
                List.of(SflowCaptures.dataFile("tcpdump/sflow_print-segv")), new StringBuilder());
        assertEquals(1, segv.errors(DecodeError.TRUNCATED));
        assertEquals(0, segv.totalFlows());
    }
}

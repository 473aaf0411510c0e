package io.sluice.decode.sflow;

import static io.sluice.decode.sflow.SflowCaptures.num;
import static io.sluice.decode.sflow.SflowCaptures.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.decode.DecodeError;
import io.sluice.decode.SkippedRecords;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * goflow2's sFlow test packets (raw .bin payloads). goflow2 asserts only that the flow packets decode
 * without error and, for the drop notifications, the sample/record kinds; the flow fields themselves
 * are checked against tshark in {@link SflowTsharkCrossCheckTest}. The header values here come from
 * the tshark summary of the same bytes.
 */
class SflowGoflow2CaptureTest {

    @ParameterizedTest
    @ValueSource(strings = {"goflow2/sflow-sample", "goflow2/sflow-expanded-sample"})
    void flowPacketsDecodeWithoutError(String capture) {
        JsonNode expected = SflowCaptures.json(capture + ".expected.json");
        assertTrue(expected.get("expected").get("decodes_without_error").asBoolean());
        JsonNode summary = SflowCaptures.json(capture + ".summary.json").get("datagram_details").get(0);
        List<SflowCaptures.DecodedDatagram> ours = SflowCaptures.perDatagram(SflowCaptures.dataFile(capture));
        assertEquals(1, ours.size());
        SflowCaptures.DecodedDatagram d = ours.getFirst();
        assertEquals(0, d.stats().totalErrors());
        assertEquals(summary.get("agent").asText(), d.agent());
        assertEquals(summary.get("sequence").asLong(), d.sequence());
        assertEquals(summary.get("sub_agent_id").asLong(), d.subAgentId());
        assertEquals(summary.get("num_samples").asInt(), d.flows().size());
        int i = 0;
        for (JsonNode sample : summary.get("samples")) {
            Map<String, Object> f = d.flows().get(i++);
            assertEquals(sample.get("sequence").asLong(), num(f, "sample_sequence"));
            assertEquals(sample.get("sampling_rate").asLong(), num(f, "sampling_rate"));
            assertEquals(summary.get("agent").asText(), text(f, "sampler_address"));
            assertEquals(d.subAgentId(), num(f, "source_id"));
            assertEquals("SFLOW_SAMPLE", f.get("sampling_rate_source"));
            assertEquals(1, num(f, "packets"));
        }
    }

    /** Drop notifications (sample 0:5) become drop messages with goflow2's values; the datagram header still decodes. */
    @ParameterizedTest
    @ValueSource(strings = {"goflow2/sflow-drop-egress-queue", "goflow2/sflow-drop-extended-acl",
            "goflow2/sflow-drop-extended-function"})
    void dropNotificationsBecomeDropMessages(String capture) throws Exception {
        JsonNode expected = SflowCaptures.json(capture + ".expected.json").get("expected");
        JsonNode summary = SflowCaptures.json(capture + ".summary.json").get("datagram_details").get(0);
        assertEquals(1, expected.get("samples").asInt());
        SflowCaptures.DecodedDatagram d = SflowCaptures.perDatagram(SflowCaptures.dataFile(capture)).getFirst();
        assertTrue(d.flows().isEmpty() && d.counters().isEmpty());
        assertEquals(0, d.stats().totalErrors());
        assertEquals(summary.get("agent").asText(), d.agent());
        assertEquals(summary.get("sequence").asLong(), d.sequence());

        // sluice decode prints it as one {"drop": ...} line
        StringBuilder out = new StringBuilder();
        io.sluice.cli.DecodeCommand.decode(SflowCaptures.sflowOnly(), List.of(SflowCaptures.dataFile(capture)), out);
        List<String> lines = out.toString().lines().toList();
        assertEquals(1, lines.size(), out.toString());
        JsonNode drop = SflowCaptures.JSON.readTree(lines.get(0)).get("drop");
        JsonNode record = expected.get("record");
        String name = record.get("record").asText();
        if (name.startsWith("egress queue")) {
            assertEquals(record.get("queue").asLong(), drop.get("egress_queue").asLong());
        } else if (name.startsWith("extended ACL")) {
            assertEquals(record.get("number").asLong(), drop.get("acl_number").asLong());
            assertEquals(record.get("name").asText(), drop.get("acl_name").asText());
            assertEquals(record.get("direction").asLong(), drop.get("acl_direction").asLong());
        } else {
            assertEquals(record.get("symbol").asText(), drop.get("function_symbol").asText());
        }
        assertEquals(summary.get("sequence").asLong(), drop.get("datagram_sequence").asLong());
        assertEquals(Long.parseLong(summary.get("sub_agent_id").asText()), drop.get("sub_agent_id").asLong());
    }
}

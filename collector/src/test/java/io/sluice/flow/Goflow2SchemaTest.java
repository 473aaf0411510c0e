package io.sluice.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.sluice.flow.pb.FlowMessage;
import io.sluice.testing.Captures;
import io.sluice.testing.UpstreamSchema;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * sluice's flow.proto against goflow2's own pb/flow.proto (../shared/reference/goflow2), compiled here
 * by protoc: every goflow2 field has the same name, number, type and label in sluice's FlowMessage,
 * every enum value the same name and number; sluice's own fields sit only where goflow2 leaves room
 * (mapping.yaml's numbers with mapping.yaml's names, or >= 1000). Any difference fails, listed.
 */
class Goflow2SchemaTest {

    @ParameterizedTest
    @ValueSource(strings = {"goflow2/flow.proto", "goflow2/clickhouse-flow.proto"})
    void everyGoflow2FieldAndEnumValueIsSluicesToo(String reference) {
        Descriptor upstream = UpstreamSchema.message(reference, "FlowMessage");
        Descriptor ours = FlowMessage.getDescriptor();
        assertEquals(upstream.getFile().getPackage(), ours.getFile().getPackage(), "proto package (ClickHouse's kafka_schema names it)");
        assertEquals(upstream.getName(), ours.getName());
        List<String> differences = differences(upstream, ours);
        assertEquals(List.of(), differences, "sluice's flow.proto differs from " + reference + " in shared fields");
    }

    /** Every difference between the upstream message and ours in what they share, one line each. */
    static List<String> differences(Descriptor upstream, Descriptor ours) {
        List<String> out = new ArrayList<>();
        for (FieldDescriptor u : upstream.getFields()) {
            FieldDescriptor o = ours.findFieldByNumber(u.getNumber());
            String where = "field " + u.getNumber() + " (goflow2 " + describe(u) + ")";
            if (o == null) {
                out.add(where + ": missing in sluice");
                continue;
            }
            if (!o.getName().equals(u.getName())) out.add(where + ": sluice names it " + o.getName());
            if (o.getType() != u.getType()) out.add(where + ": sluice's type is " + o.getType());
            if (o.isRepeated() != u.isRepeated()) out.add(where + ": sluice's label is " + (o.isRepeated() ? "repeated" : "singular"));
            if (o.isRepeated() && o.isPacked() != u.isPacked()) out.add(where + ": packed " + u.isPacked() + " vs sluice " + o.isPacked());
            if (o.hasPresence() != u.hasPresence()) out.add(where + ": presence " + u.hasPresence() + " vs sluice " + o.hasPresence());
            if (u.getType() == FieldDescriptor.Type.ENUM) out.addAll(enumDifferences(where, u.getEnumType(), o.getEnumType()));
            if (u.getType() == FieldDescriptor.Type.MESSAGE) out.addAll(differences(u.getMessageType(), o.getMessageType()));
        }
        for (FieldDescriptor u : upstream.getFields()) {
            FieldDescriptor byName = ours.findFieldByName(u.getName());
            if (byName != null && byName.getNumber() != u.getNumber()) {
                out.add("field " + u.getName() + ": goflow2 number " + u.getNumber() + ", sluice " + byName.getNumber());
            }
        }
        for (EnumDescriptor ue : upstream.getEnumTypes()) {
            EnumDescriptor oe = ours.findEnumTypeByName(ue.getName());
            if (oe == null) out.add("enum " + ue.getName() + ": missing in sluice");
            else out.addAll(enumDifferences("enum " + ue.getName(), ue, oe));
        }
        return out;
    }

    private static List<String> enumDifferences(String where, EnumDescriptor upstream, EnumDescriptor ours) {
        List<String> out = new ArrayList<>();
        if (!upstream.getName().equals(ours.getName())) out.add(where + ": enum " + upstream.getName() + " is " + ours.getName() + " in sluice");
        for (EnumValueDescriptor v : upstream.getValues()) {
            EnumValueDescriptor o = ours.findValueByName(v.getName());
            if (o == null) out.add(where + ": value " + v.getName() + " = " + v.getNumber() + " missing in sluice");
            else if (o.getNumber() != v.getNumber()) out.add(where + ": value " + v.getName() + " is " + v.getNumber() + ", sluice " + o.getNumber());
            EnumValueDescriptor byNumber = ours.findValueByNumber(v.getNumber());
            if (byNumber != null && !byNumber.getName().equals(v.getName())) {
                out.add(where + ": number " + v.getNumber() + " is " + v.getName() + ", sluice " + byNumber.getName());
            }
        }
        return out;
    }

    private static String describe(FieldDescriptor f) {
        return (f.isRepeated() ? "repeated " : "") + f.getType().name().toLowerCase() + " " + f.getName();
    }

    /**
     * sluice's own fields: at a number goflow2's example mapping.yaml gives a field, with that field's
     * name and a varint type as mapping.yaml declares; otherwise >= 1000, beyond goflow2's numbers.
     */
    @Test
    void sluicesOwnFieldsFollowGoflow2sMappingOrStartAt1000() throws IOException {
        Descriptor upstream = UpstreamSchema.message("goflow2/flow.proto", "FlowMessage");
        JsonNode mapping = new ObjectMapper(new YAMLFactory()).readTree(Captures.reference().resolve("goflow2/mapping.yaml").toFile());
        Map<Integer, JsonNode> mapped = new HashMap<>();
        for (JsonNode f : mapping.path("formatter").path("protobuf")) mapped.put(f.get("index").asInt(), f);
        assertTrue(mapped.containsKey(42) && mapped.containsKey(39), "mapping.yaml lists its extra fields");
        List<String> problems = new ArrayList<>();
        for (FieldDescriptor o : FlowMessage.getDescriptor().getFields()) {
            if (upstream.findFieldByNumber(o.getNumber()) != null) continue; // compared above
            JsonNode m = mapped.get(o.getNumber());
            if (m != null) {
                if (!m.get("name").asText().equals(o.getName())) problems.add(o.getNumber() + ": mapping.yaml names it " + m.get("name").asText() + ", sluice " + o.getName());
                boolean varint = switch (o.getType()) {
                    case UINT32, UINT64, INT32, INT64, ENUM, BOOL -> true;
                    default -> false;
                };
                if (!m.get("type").asText().equals("varint") || !varint || o.isRepeated()) problems.add(o.getNumber() + ": not the varint mapping.yaml declares");
            } else if (o.getNumber() < 1000) {
                problems.add(o.getName() + " = " + o.getNumber() + ": below 1000 without a goflow2 convention for it");
            }
        }
        assertEquals(List.of(), problems);
    }
}

package io.sluice.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.decode.DecodeError;
import io.sluice.decode.Protocol;
import io.sluice.decode.template.SamplingRate;
import io.sluice.decode.template.SamplingTable;
import io.sluice.decode.template.Template;
import io.sluice.decode.template.TemplateKey;
import io.sluice.flow.AddressFormat;
import io.sluice.flow.pb.FlowMessage.SamplingRateSource;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The operator endpoints /exporters and /templates (JSON, on the metrics address: bind it to loopback or
 * a management network, they name every exporter). Bounded: at most {@code limit} entries each, and
 * {@code truncated} says when more exist; built per request, off the hot path.
 */
public final class OperatorJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sampling entries listed per exporter at most (the table's own bound is for all exporters together). */
    static final int SAMPLING_LIMIT = 64;

    private OperatorJson() {}

    /** Per exporter: protocols, first/last seen, datagrams, bytes, flows, decode errors, sequence spaces. */
    public static String exporters(ExporterTable table, int limit) {
        return exporters(table, null, limit);
    }

    /**
     * The same with, per exporter, the sampling rates its NetFlow v9 / IPFIX options data set in
     * {@code sampling} (null: none listed): per sampler / selector id or for a whole domain, with where the
     * rate came from. sFlow and NetFlow v5 rates travel in every datagram and are not state.
     */
    public static String exporters(ExporterTable table, SamplingTable sampling, int limit) {
        Map<String, ArrayNode> rates = sampling == null ? Map.of() : samplingByExporter(sampling);
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("exporters");
        int n = 0;
        boolean truncated = false;
        for (ExporterEntry e : table.entries()) {
            if (n++ >= limit) {
                truncated = true;
                break;
            }
            ObjectNode o = list.addObject();
            o.put("exporter", e.label);
            ArrayNode protocols = o.putArray("protocols");
            for (Protocol p : Protocol.values()) if (e.saw(p)) protocols.add(p.label);
            o.put("first_seen_ms", e.firstSeenMs());
            o.put("last_seen_ms", e.lastSeenMs());
            o.put("datagrams", e.datagrams());
            o.put("bytes", e.bytes());
            o.put("flows", e.flows());
            ObjectNode errors = o.putObject("decode_errors");
            for (DecodeError r : DecodeError.values()) if (e.errors(r) > 0) errors.put(r.label, e.errors(r));
            ArrayNode spaces = o.putArray("sequence_spaces");
            for (SequenceSpace s : e.spaces()) {
                SequenceSpace.Snapshot x = s.snapshot();
                ObjectNode so = spaces.addObject();
                so.put("space", x.kind().label);
                so.put("key_a", x.keyA());
                so.put("key_b", x.keyB());
                so.put("expected", x.expected());
                so.put("received", x.received());
                so.put("missing", x.missing());
                so.put("pending", x.pending());
                so.put("duplicates", x.duplicates());
                so.put("resets", x.resets());
                so.put("late", x.late());
                so.put("next_sequence", x.nextSequence());
            }
            ArrayNode r = rates.get(e.label);
            o.set("sampling", r != null ? r : JSON.createArrayNode());
        }
        root.put("exporters_tracked", table.size());
        root.put("exporters_max", table.cap());
        root.put("truncated", truncated);
        return root.toPrettyString();
    }

    /** The sampling table's rates grouped by exporter label (the address as /exporters writes it), bounded. */
    private static Map<String, ArrayNode> samplingByExporter(SamplingTable sampling) {
        Map<String, ArrayNode> out = new HashMap<>();
        BiConsumer<TemplateKey, SamplingRate> add = (k, rate) -> {
            byte[] a = k.exporterAddress();
            ArrayNode list = out.computeIfAbsent(AddressFormat.format(a, a.length), x -> JSON.createArrayNode());
            if (list.size() >= SAMPLING_LIMIT) return;
            ObjectNode o = list.addObject();
            o.put("version", k.version());
            o.put("domain", k.domain());
            if (k.isDomainKey()) o.put("scope", "domain");
            else o.put("scope", "sampler").put("sampler_id", k.id());
            o.put("rate", rate.rate());
            o.put("source", sourceName(rate.source()));
        };
        sampling.forEachSamplerRate(add);
        sampling.forEachDomainRate(add);
        return out;
    }

    /** flow.proto's SamplingRateSource name, lower case ({@code sampler_table}, {@code packet_interval}...). */
    static String sourceName(int source) {
        SamplingRateSource s = SamplingRateSource.forNumber(source);
        return s == null ? Integer.toString(source) : s.name().toLowerCase(Locale.ROOT);
    }

    /** Per NetFlow v9 / IPFIX template: its key (exporter, version, domain, id), fields, first and last seen. */
    public static String templates(Consumer<BiConsumer<TemplateKey, Template>> forEach, int limit) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("templates");
        int[] n = {0};
        boolean[] truncated = {false};
        forEach.accept((k, t) -> {
            if (n[0]++ >= limit) {
                truncated[0] = true;
                return;
            }
            ObjectNode o = list.addObject();
            byte[] a = k.exporterAddress();
            o.put("exporter", AddressFormat.format(a, a.length));
            o.put("version", k.version());
            o.put("domain", k.domain());
            o.put("template_id", t.templateId);
            o.put("options", t.options);
            o.put("scope_fields", t.scopeFieldCount);
            // ms since the epoch, as /exporters: first seen = when this definition arrived (a redefinition
            // starts over); last seen = last sent or used, to the second (Template#touch)
            o.put("first_seen_ms", t.firstSeenNs() / 1_000_000);
            o.put("last_seen_ms", t.lastSeenNs() / 1_000_000);
            ArrayNode fields = o.putArray("fields");
            for (int i = 0; i < t.fieldCount(); i++) {
                ObjectNode f = fields.addObject();
                if (t.enterprise(i) != 0) f.put("enterprise", t.enterprise(i));
                f.put("id", t.elementId(i));
                f.put("length", t.length(i));
            }
        });
        root.put("truncated", truncated[0]);
        return root.toPrettyString();
    }
}

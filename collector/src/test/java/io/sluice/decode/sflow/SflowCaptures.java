package io.sluice.decode.sflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.pb.CounterMessage;
import io.sluice.testing.CaptureReplay;
import io.sluice.testing.Captures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared plumbing of the sFlow capture tests: replay, the expectation files, per-datagram decoding. */
final class SflowCaptures {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Akvorado's sFlow captures of its main test suite (relative, without extension). */
    static final List<String> AKVORADO = List.of(
            "akvorado/sflow/data-1140",
            "akvorado/sflow/data-discard-interface",
            "akvorado/sflow/data-encap-vxlan",
            "akvorado/sflow/data-icmpv4",
            "akvorado/sflow/data-icmpv6",
            "akvorado/sflow/data-local-interface",
            "akvorado/sflow/data-multiple-interfaces",
            "akvorado/sflow/data-qinq",
            "akvorado/sflow/data-sflow-expanded-sample",
            "akvorado/sflow/data-sflow-ipv4-data",
            "akvorado/sflow/data-sflow-raw-ipv4");

    /** The captures whose flow samples tshark decodes into rows of their .tshark.csv. */
    static final List<String> WITH_FLOW_SAMPLES = concat(AKVORADO, List.of(
            "akvorado/extra/data-vlan-interfaces",
            "tcpdump/sflow-print-v6",
            "tcpdump/sflow_expanded",
            "goflow2/sflow-sample",
            "goflow2/sflow-expanded-sample"));

    /** Every sFlow capture in ../shared/captures, the counter-only, fuzzed and drop-notification ones too. */
    static final List<String> ALL = concat(WITH_FLOW_SAMPLES, List.of(
            "tcpdump/sflow_multiple_counter_30_pdus",
            "tcpdump/sflow_print-segv",
            "goflow2/sflow-drop-egress-queue",
            "goflow2/sflow-drop-extended-acl",
            "goflow2/sflow-drop-extended-function"));

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private SflowCaptures() {}

    /** The sFlow-only dispatcher: anything that is not sFlow v5 is refused and counted. */
    static VersionDispatch sflowOnly() {
        return new VersionDispatch(new SflowDecoder(), null, null, null);
    }

    /** The file holding the datagrams: the pcap when there is one, else the goflow2 raw .bin. */
    static Path dataFile(String capture) {
        Path dir = Captures.captures();
        Path pcap = dir.resolve(capture + ".pcap");
        return Files.exists(pcap) ? pcap : dir.resolve(capture + ".bin");
    }

    static JsonNode json(String relative) {
        try {
            return JSON.readTree(Captures.captures().resolve(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Flows of {@code files} through the `sluice decode` code path (one decoder for all files). */
    static List<Map<String, Object>> replay(VersionDispatch decoder, List<Path> files) {
        return CaptureReplay.decode(decoder, files);
    }

    /** The flow JSON of one record, as the decode command writes it, parsed back. */
    static Map<String, Object> asJson(FlowRecord flow) {
        return CaptureReplay.parseLines(io.sluice.flow.FlowJson.toJson(flow)).getFirst();
    }

    /** What one datagram produced when decoded alone, with the decoder's view of its header. */
    record DecodedDatagram(CapturedDatagram captured, long sequence, String agent, long subAgentId, long uptimeMs,
                           long declaredSamples, List<Map<String, Object>> flows, List<CounterMessage> counters,
                           DecodeStats stats) {}

    /** Decodes every datagram of {@code file} through one {@link SflowDecoder}, keeping each one's output apart. */
    static List<DecodedDatagram> perDatagram(Path file) {
        SflowDecoder decoder = new SflowDecoder();
        List<DecodedDatagram> out = new ArrayList<>();
        Datagram d = new Datagram(0);
        for (CapturedDatagram c : read(file)) {
            List<Map<String, Object>> flows = new ArrayList<>();
            List<CounterMessage> counters = new ArrayList<>();
            DecodeStats stats = new DecodeStats();
            d.buffer = ByteBuffer.wrap(c.payload());
            d.length = c.payload().length;
            d.setExporter(c.sourceAddress(), c.sourcePort());
            d.timeReceivedNs = c.timestampNanos();
            decoder.decode(d, new FlowSink() {
                @Override
                public void flow(FlowRecord flow) {
                    flows.add(asJson(flow));
                }

                @Override
                public void counters(CounterMessage m) {
                    counters.add(m);
                }
            }, stats);
            SflowDatagramHeader h = decoder.lastHeader();
            out.add(new DecodedDatagram(c, h.sequence, h.agent.toString(), h.subAgentId, h.uptimeMs,
                    h.declaredSamples, flows, counters, stats));
            if (decoder.internalErrors != 0) throw new AssertionError("decoder hit its internal guard");
        }
        return out;
    }

    static List<CapturedDatagram> read(Path file) {
        try {
            return CaptureReader.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rows of a tshark.csv as column name to text (empty cells are ""). */
    static List<Map<String, String>> tsharkRows(String capture) {
        try {
            List<String> lines = Files.readAllLines(Captures.captures().resolve(capture + ".tshark.csv"));
            String[] columns = lines.getFirst().split(",", -1);
            List<Map<String, String>> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                if (line.isBlank()) continue;
                String[] cells = line.split(",", -1);
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < columns.length; i++) row.put(columns[i], i < cells.length ? cells[i] : "");
                rows.add(row);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON number as a long, absent as 0 (FlowJson omits zero fields). */
    static long num(Map<String, Object> flow, String key) {
        Object v = flow.get(key);
        return v == null ? 0 : ((Number) v).longValue();
    }

    static String text(Map<String, Object> flow, String key) {
        Object v = flow.get(key);
        return v == null ? "" : v.toString();
    }

    /** A JSON list of numbers as longs, absent as empty. */
    static List<Long> longs(Object v) {
        List<Long> out = new ArrayList<>();
        if (v instanceof List<?> list) for (Object o : list) out.add(((Number) o).longValue());
        if (v instanceof JsonNode node) for (JsonNode n : node) out.add(n.asLong());
        return out;
    }
}

package io.sluice.ledger;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.decode.DecodeError;
import io.sluice.decode.SequenceKind;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The per-exporter series (label {@code exporter}, at most the table's cap plus "other"), read from
 * the {@link ExporterTable} at scrape time. Sequence series are summed per exporter and space kind
 * (not per domain or source id, which an exporter may have many of: /exporters lists those).
 */
public final class ExporterMetrics {
    private static final String E = "exporter";

    private ExporterMetrics() {}

    public static void register(PrometheusRegistry registry, ExporterTable table) {
        perExporter(registry, "sluice_exporter_datagrams_total", "UDP datagrams received from this exporter", table,
                ExporterEntry::datagrams);
        perExporter(registry, "sluice_exporter_bytes_total", "UDP payload bytes received from this exporter", table,
                ExporterEntry::bytes);
        perExporter(registry, "sluice_exporter_flows_total", "flows decoded from this exporter's datagrams", table,
                ExporterEntry::flows);
        perExporter(registry, "sluice_exporter_sequence_untracked_total",
                "messages of sequence spaces beyond the per-exporter limit (64): not accounted", table,
                ExporterEntry::untrackedSpaces);
        CounterWithCallback.builder()
                .name("sluice_exporter_decode_errors_total")
                .help("malformed datagrams or parts of datagrams from this exporter, by reason")
                .labelNames(E, "reason")
                .callback(cb -> {
                    for (ExporterEntry e : table.entries()) {
                        for (DecodeError r : DecodeError.values()) cb.call(e.errors(r), e.label, r.label);
                    }
                })
                .register(registry);
        sequence(registry, "sluice_exporter_sequence_expected_total",
                "units the exporter sent by its sequence numbers (datagrams, flow samples or records: see docs/ledger.md)",
                table, SequenceSpace.Snapshot::expected);
        sequence(registry, "sluice_exporter_sequence_received_total",
                "units of the sequence that arrived (duplicates not counted)", table, SequenceSpace.Snapshot::received);
        sequence(registry, "sluice_exporter_sequence_missing_total",
                "units of the sequence that did not arrive within the reorder window: lost before the worker read them",
                table, SequenceSpace.Snapshot::missing);
        sequence(registry, "sluice_exporter_sequence_duplicates_total",
                "messages whose sequence was already received", table, SequenceSpace.Snapshot::duplicates);
        sequence(registry, "sluice_exporter_sequence_resets_total",
                "exporter restarts or sequence resets (sequence or uptime went back)", table, SequenceSpace.Snapshot::resets);
        sequence(registry, "sluice_exporter_sequence_late_total",
                "units that arrived after the reorder window had counted them missing (also in missing_total: subtract them)",
                table, SequenceSpace.Snapshot::late);
        GaugeWithCallback.builder()
                .name("sluice_exporter_sequence_pending")
                .help("units of open sequence gaps: late messages may still fill them, else they become missing")
                .labelNames(E, "space")
                .callback(cb -> each(table, (e, kind, sums) -> cb.call(sums[3], e.label, kind.label)))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_exporters")
                .help("exporters with their own series (the others are counted under exporter=\"other\")")
                .callback(cb -> cb.call(table.size()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_exporters_max")
                .help("the cap on exporters with their own series (exporters.max)")
                .callback(cb -> cb.call(table.cap()))
                .register(registry);
    }

    private static void perExporter(PrometheusRegistry registry, String name, String help, ExporterTable table,
                                    ToLongFunction<ExporterEntry> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames(E)
                .callback(cb -> {
                    for (ExporterEntry e : table.entries()) cb.call(value.applyAsLong(e), e.label);
                })
                .register(registry);
    }

    private static final int FIELDS = 6;

    private static void sequence(PrometheusRegistry registry, String name, String help, ExporterTable table,
                                 ToLongFunction<SequenceSpace.Snapshot> value) {
        CounterWithCallback.builder().name(name).help(help).labelNames(E, "space")
                .callback(cb -> {
                    for (ExporterEntry e : table.entries()) {
                        for (Map.Entry<SequenceKind, Long> s : sums(e, value).entrySet()) {
                            cb.call(s.getValue(), e.label, s.getKey().label);
                        }
                    }
                })
                .register(registry);
    }

    private static Map<SequenceKind, Long> sums(ExporterEntry e, ToLongFunction<SequenceSpace.Snapshot> value) {
        Map<SequenceKind, Long> out = new EnumMap<>(SequenceKind.class);
        for (SequenceSpace s : e.spaces()) out.merge(s.kind, value.applyAsLong(s.snapshot()), Long::sum);
        return out;
    }

    private interface KindSums {
        void accept(ExporterEntry e, SequenceKind kind, long[] sums);
    }

    /** Per exporter and kind: expected, received, missing, pending, duplicates, resets summed. */
    private static void each(ExporterTable table, KindSums consumer) {
        List<ExporterEntry> entries = table.entries();
        for (ExporterEntry e : entries) {
            Map<SequenceKind, long[]> byKind = new EnumMap<>(SequenceKind.class);
            for (SequenceSpace s : e.spaces()) {
                SequenceSpace.Snapshot n = s.snapshot();
                long[] sums = byKind.computeIfAbsent(s.kind, k -> new long[FIELDS]);
                sums[0] += n.expected();
                sums[1] += n.received();
                sums[2] += n.missing();
                sums[3] += n.pending();
                sums[4] += n.duplicates();
                sums[5] += n.resets();
            }
            byKind.forEach((k, sums) -> consumer.accept(e, k, sums));
        }
    }
}

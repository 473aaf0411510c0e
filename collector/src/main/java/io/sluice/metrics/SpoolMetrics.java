package io.sluice.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.output.spool.KafkaSpool;
import java.util.function.Supplier;

/**
 * The disk spool's metrics (docs/spool.md), read at scrape time; no series while the output has no spool.
 * The spool's replayed flows are counted in the sent / dropped counters by {@link ServiceMetrics}, under
 * {@code listener="spool", worker="replay"}; what does not fit in the spool is {@code sluice_flows_dropped_total{reason="spool_full"}}.
 */
final class SpoolMetrics {
    private SpoolMetrics() {}

    static void register(PrometheusRegistry registry, Supplier<KafkaSpool> spool) {
        gauge(registry, "sluice_spool_bytes", "bytes of the spool's segment files (bounded by output.spool.max-bytes)", spool, KafkaSpool::bytes);
        gauge(registry, "sluice_spool_records", "Kafka records in the spool not yet acknowledged by Kafka (pending)", spool, KafkaSpool::records);
        gauge(registry, "sluice_spool_flows", "flows in the records of sluice_spool_records (the ledger's spooled term)", spool, KafkaSpool::flows);
        gauge(registry, "sluice_spool_oldest_age_seconds", "age of the oldest record not yet acknowledged (0 when empty)", spool,
                KafkaSpool::oldestAgeSeconds);
        gauge(registry, "sluice_spool_recovered_flows", "flows found in the spool directory when this process took it (left by a previous one)",
                spool, KafkaSpool::recoveredFlows);
        CounterWithCallback.builder()
                .name("sluice_spool_written_records_total")
                .help("records written to the spool, by cause: refused (the producer did not queue it: never sent) or failed "
                        + "(queued, its delivery failed: the broker may have it, a replay can duplicate it)")
                .labelNames("cause")
                .callback(cb -> {
                    KafkaSpool s = spool.get();
                    if (s == null) return;
                    cb.call(s.writtenRefused(), "refused");
                    cb.call(s.writtenFailed(), "failed");
                })
                .register(registry);
        counter(registry, "sluice_spool_replayed_records_total", "spooled records Kafka acknowledged", spool, KafkaSpool::replayedRecords);
        counter(registry, "sluice_spool_replay_retries_total", "replayed sends that failed and were sent again (each may duplicate a record)",
                spool, KafkaSpool::replayRetries);
        counter(registry, "sluice_spool_corrupt_records_total", "spooled records that failed their checksum or were torn (the rest of "
                + "their segment is skipped)", spool, KafkaSpool::corrupt);
    }

    private static void gauge(PrometheusRegistry r, String name, String help, Supplier<KafkaSpool> spool,
                              java.util.function.ToDoubleFunction<KafkaSpool> value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> {
            KafkaSpool s = spool.get();
            if (s != null) cb.call(value.applyAsDouble(s));
        }).register(r);
    }

    private static void counter(PrometheusRegistry r, String name, String help, Supplier<KafkaSpool> spool,
                                java.util.function.ToLongFunction<KafkaSpool> value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> {
            KafkaSpool s = spool.get();
            if (s != null) cb.call(value.applyAsLong(s));
        }).register(r);
    }
}

package io.sluice.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a process did in its whole life, summed from its own counters: the line sluice logs when it stops.
 *
 * <p>Why: once a process has exited its /metrics is gone, and the last scrape can be seconds old, so the
 * datagrams its sockets dropped, or the flows its output dropped while it drained, in the last moments
 * would be known to nobody. An operator (and the bench's handover, which accounts for both processes)
 * reads it from the log instead, the way nfcapd prints its totals when it ends.
 *
 * @param datagramsReceived UDP datagrams the workers read
 * @param socketDrops datagrams the kernel dropped on this process's sockets
 * @param discardedAtStop datagrams still queued when the stop's drain bound passed, read and discarded
 * @param flowsDecoded flows decoded
 * @param flowsDelivered flows the output delivered (Kafka acknowledged, or written)
 * @param flowsDropped decoded flows that did not reach the output, by reason (only reasons that occurred)
 */
public record LifetimeTotals(long datagramsReceived, long socketDrops, long discardedAtStop, long flowsDecoded, long flowsDelivered,
        Map<String, Long> flowsDropped) {

    /** Sums the counters in {@code registry} over all their labels (listeners, workers, protocols). */
    public static LifetimeTotals of(PrometheusRegistry registry) {
        long received = 0, drops = 0, discarded = 0, decoded = 0, delivered = 0;
        Map<String, Long> dropped = new TreeMap<>();
        for (MetricSnapshot m : registry.scrape()) {
            if (!(m instanceof CounterSnapshot c)) continue;
            String name = c.getMetadata().getPrometheusName();
            for (CounterSnapshot.CounterDataPointSnapshot p : c.getDataPoints()) {
                long v = (long) p.getValue();
                switch (name) {
                    case "sluice_packets_received" -> received += v;
                    case "sluice_socket_drops" -> drops += v;
                    case "sluice_datagrams_discarded_at_stop" -> discarded += v;
                    case "sluice_flows_decoded" -> decoded += v;
                    case "sluice_kafka_records_sent" -> delivered += v;
                    case "sluice_flows_dropped" -> {
                        if (v > 0) dropped.merge(p.getLabels().get("reason"), v, Long::sum);
                    }
                    default -> { }
                }
            }
        }
        return new LifetimeTotals(received, drops, discarded, decoded, delivered, dropped);
    }

    public long flowsDroppedTotal() {
        return flowsDropped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** "received 123 datagrams, sockets dropped 0, discarded at the stop 0; decoded 456 flows, delivered 456, dropped 0". */
    @Override
    public String toString() {
        return "received " + datagramsReceived + " datagrams, sockets dropped " + socketDrops + ", discarded at the stop "
                + discardedAtStop + "; decoded " + flowsDecoded
                + " flows, delivered " + flowsDelivered + ", dropped " + flowsDroppedTotal() + (flowsDropped.isEmpty() ? "" : " " + flowsDropped);
    }
}

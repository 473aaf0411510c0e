package io.sluice.decode.netflow;

import io.sluice.decode.packet.Decapsulation;
import io.sluice.decode.template.StoreBounds;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the NetFlow v5 / v9 / IPFIX decoders.
 *
 * @param maxPendingSetsPerExporter data sets kept per exporter while their template is unknown
 * @param maxPendingSetsTotal       the same, all exporters together (spoofed sources cannot fill memory)
 * @param maxPendingAge             how long such a set may wait for its template
 * @param maxTemplates              templates kept, all exporters together; new ones beyond are refused
 * @param defaultSamplingRate       rate used when an exporter says nothing (0: leave unknown)
 * @param exporterSamplingRates     per-exporter defaults, taking precedence over the global one
 * @param decapsulation             the tunnel whose inner packet is reported from a data-link frame section
 * @param bounds                    the template store's byte bounds, per-exporter limit and idle timeout
 */
public record NetflowConfig(int maxPendingSetsPerExporter, int maxPendingSetsTotal, Duration maxPendingAge,
                            int maxTemplates, long defaultSamplingRate, Map<InetAddress, Long> exporterSamplingRates,
                            Decapsulation decapsulation, StoreBounds bounds) {

    /** With the default store bounds. */
    public NetflowConfig(int maxPendingSetsPerExporter, int maxPendingSetsTotal, Duration maxPendingAge,
                         int maxTemplates, long defaultSamplingRate, Map<InetAddress, Long> exporterSamplingRates,
                         Decapsulation decapsulation) {
        this(maxPendingSetsPerExporter, maxPendingSetsTotal, maxPendingAge, maxTemplates, defaultSamplingRate,
                exporterSamplingRates, decapsulation, StoreBounds.defaults());
    }

    public NetflowConfig {
        if (maxPendingSetsPerExporter < 0 || maxPendingSetsTotal < 0) throw new IllegalArgumentException("pending sets < 0");
        if (maxPendingAge == null || maxPendingAge.isNegative()) throw new IllegalArgumentException("maxPendingAge");
        if (maxTemplates < 1) throw new IllegalArgumentException("maxTemplates < 1");
        if (defaultSamplingRate < 0) throw new IllegalArgumentException("defaultSamplingRate < 0");
        if (decapsulation == null) throw new IllegalArgumentException("decapsulation (NONE for none)");
        if (bounds == null) throw new IllegalArgumentException("bounds");
        exporterSamplingRates = Map.copyOf(exporterSamplingRates == null ? Map.of() : exporterSamplingRates);
        for (long rate : exporterSamplingRates.values()) {
            if (rate < 0) throw new IllegalArgumentException("exporter sampling rate < 0");
        }
    }

    /**
     * The defaults of the {@code templates} and {@code sampling} sections: 1024 sets and 60 s per exporter,
     * 65536 sets in all, 100000 templates, no default rate, no decapsulation.
     */
    public static final NetflowConfig DEFAULTS =
            new NetflowConfig(1024, 65_536, Duration.ofSeconds(60), 100_000, 0, Map.of(), Decapsulation.NONE);

    /** {@link #DEFAULTS}, for callers that derive a variant with the {@code with...} methods. */
    public static NetflowConfig defaults() {
        return DEFAULTS;
    }

    public NetflowConfig withDefaultSamplingRate(long rate) {
        return new NetflowConfig(maxPendingSetsPerExporter, maxPendingSetsTotal, maxPendingAge, maxTemplates, rate,
                exporterSamplingRates, decapsulation, bounds);
    }

    public NetflowConfig withExporterSamplingRates(Map<InetAddress, Long> rates) {
        return new NetflowConfig(maxPendingSetsPerExporter, maxPendingSetsTotal, maxPendingAge, maxTemplates,
                defaultSamplingRate, rates, decapsulation, bounds);
    }

    /** Per-exporter count and age bounds of the data waiting for templates (the total bound is kept). */
    public NetflowConfig withPending(int maxSetsPerExporter, Duration maxAge) {
        return new NetflowConfig(maxSetsPerExporter, maxPendingSetsTotal, maxAge, maxTemplates, defaultSamplingRate,
                exporterSamplingRates, decapsulation, bounds);
    }

    public NetflowConfig withLimits(int maxPendingTotal, int maxTemplateCount) {
        return new NetflowConfig(maxPendingSetsPerExporter, maxPendingTotal, maxPendingAge, maxTemplateCount,
                defaultSamplingRate, exporterSamplingRates, decapsulation, bounds);
    }

    public NetflowConfig withBounds(StoreBounds storeBounds) {
        return new NetflowConfig(maxPendingSetsPerExporter, maxPendingSetsTotal, maxPendingAge, maxTemplates,
                defaultSamplingRate, exporterSamplingRates, decapsulation, storeBounds);
    }

    public NetflowConfig withDecapsulation(Decapsulation decap) {
        return new NetflowConfig(maxPendingSetsPerExporter, maxPendingSetsTotal, maxPendingAge, maxTemplates,
                defaultSamplingRate, exporterSamplingRates, decap, bounds);
    }
}

package io.sluice.decode.netflow;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the NetFlow v5 / v9 / IPFIX decoders.
 *
 * @param maxPendingSetsPerExporter data sets kept per exporter while their template is unknown
 * @param maxPendingAge             how long such a set may wait for its template
 * @param defaultSamplingRate       rate used when an exporter says nothing (0: leave unknown)
 * @param exporterSamplingRates     per-exporter defaults, taking precedence over the global one
 * @param decapsulateSrv6           report the packet inside an SRv6 tunnel found in a data-link frame section
 */
public record NetflowConfig(int maxPendingSetsPerExporter, Duration maxPendingAge, long defaultSamplingRate,
                            Map<InetAddress, Long> exporterSamplingRates, boolean decapsulateSrv6) {

    public NetflowConfig {
        if (maxPendingSetsPerExporter < 0) throw new IllegalArgumentException("maxPendingSetsPerExporter < 0");
        if (maxPendingAge == null || maxPendingAge.isNegative()) throw new IllegalArgumentException("maxPendingAge");
        if (defaultSamplingRate < 0) throw new IllegalArgumentException("defaultSamplingRate < 0");
        exporterSamplingRates = Map.copyOf(exporterSamplingRates == null ? Map.of() : exporterSamplingRates);
    }

    /** 1024 sets and 60 s per exporter, no default rate, no decapsulation. */
    public static NetflowConfig defaults() {
        return new NetflowConfig(1024, Duration.ofSeconds(60), 0, Map.of(), false);
    }

    public NetflowConfig withDefaultSamplingRate(long rate) {
        return new NetflowConfig(maxPendingSetsPerExporter, maxPendingAge, rate, exporterSamplingRates, decapsulateSrv6);
    }

    public NetflowConfig withExporterSamplingRates(Map<InetAddress, Long> rates) {
        return new NetflowConfig(maxPendingSetsPerExporter, maxPendingAge, defaultSamplingRate, rates, decapsulateSrv6);
    }

    public NetflowConfig withPending(int maxSets, Duration maxAge) {
        return new NetflowConfig(maxSets, maxAge, defaultSamplingRate, exporterSamplingRates, decapsulateSrv6);
    }

    public NetflowConfig withDecapsulateSrv6(boolean decap) {
        return new NetflowConfig(maxPendingSetsPerExporter, maxPendingAge, defaultSamplingRate, exporterSamplingRates, decap);
    }
}

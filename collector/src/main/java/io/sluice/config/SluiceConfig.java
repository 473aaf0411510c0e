package io.sluice.config;

import io.sluice.decode.ListenerProtocol;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.handover.HandoverSettings;
import io.sluice.ledger.ExporterSettings;
import io.sluice.output.BatchingSettings;
import io.sluice.output.KafkaSettings;
import io.sluice.output.OutputSettings;
import io.sluice.steering.SteeringMode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The validated configuration of `sluice run` (every key documented in docs/configuration.md).
 *
 * <p>The settings rule (DEVELOPERS.md): each module owns the record of its section and the enums its keys
 * choose from, with the defaults as a {@code DEFAULTS} constant; {@link ConfigLoader} binds YAML, flags and
 * the environment straight into them. Only what belongs to no single module is declared here: a listener
 * (it combines socket, steering and decode settings), the metrics address and the shutdown bound.
 *
 * @param netflow the {@code templates} and {@code sampling} sections
 * @param kafka the {@code kafka} section, with the top-level {@code backpressure}
 * @param exporters the {@code exporters} section (per-exporter accounting)
 */
public record SluiceConfig(
        List<Listener> listeners,
        KafkaSettings kafka,
        BatchingSettings batching,
        OutputSettings output,
        InetSocketAddress metricsListen,
        NetflowConfig netflow,
        Duration shutdownTimeout,
        HandoverSettings handover,
        ExporterSettings exporters,
        io.sluice.share.TemplateShareSettings templateShare) {

    /** Without templates.share (its defaults: off). */
    public SluiceConfig(List<Listener> listeners, KafkaSettings kafka, BatchingSettings batching, OutputSettings output,
                        InetSocketAddress metricsListen, NetflowConfig netflow, Duration shutdownTimeout,
                        HandoverSettings handover, ExporterSettings exporters) {
        this(listeners, kafka, batching, output, metricsListen, netflow, shutdownTimeout, handover, exporters,
                io.sluice.share.TemplateShareSettings.DEFAULTS);
    }

    /** The default of {@code metrics.listen}. */
    public static final String DEFAULT_METRICS_LISTEN = "127.0.0.1:8080";
    /** The default of {@code shutdown-timeout}. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);

    /**
     * @param name the metrics label: the address as configured, e.g. {@code 0.0.0.0:2055}
     * @param rcvbuf SO_RCVBUF per socket in bytes (the kernel doubles it and caps it at net.core.rmem_max)
     * @param guard who may send and how fast, enforced in the kernel (docs/security.md)
     * @param guardUserSpace when the kernel cannot run the guard, filter the allow-list in the workers
     *     instead (counted) rather than refuse to start
     */
    public record Listener(String name, InetSocketAddress address, ListenerProtocol protocol, int workers, SteeringMode steering, int rcvbuf,
                           io.sluice.steering.GuardRules guard, boolean guardUserSpace) {
        public static final ListenerProtocol DEFAULT_PROTOCOL = ListenerProtocol.AUTO;
        public static final SteeringMode DEFAULT_STEERING = SteeringMode.RANDOM;
        /**
         * 256 MiB per socket (the kernel accounts twice that, in skb truesize, and bounds all UDP sockets
         * together by net.ipv4.udp_mem): room for the seconds a process cannot keep up. A successor's first
         * seconds in a handover are such seconds: at 110k IPFIX datagrams/s on 2 cores, make bench found
         * 2 of 3 handovers lossy with 32 MiB (the previous default) and 3 of 3 exact with 256 MiB
         * (docs/upgrade.md). Memory is only used while datagrams wait.
         */
        public static final int DEFAULT_RCVBUF = 256 << 20;
        public static final int MAX_WORKERS = 256;

        /** The default of {@code workers}: one per CPU. */
        public static int defaultWorkers() {
            return Math.clamp(Runtime.getRuntime().availableProcessors(), 1, MAX_WORKERS);
        }
    }
}

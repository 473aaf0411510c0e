package io.sluice.config;

import io.sluice.output.BackpressurePolicy;
import io.sluice.output.FileOutput;
import io.sluice.output.PartitionKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The validated configuration of `sluice run` (every key documented in docs/configuration.md). */
public record SluiceConfig(
        List<Listener> listeners,
        Kafka kafka,
        Batching batching,
        BackpressurePolicy backpressure,
        Output output,
        InetSocketAddress metricsListen,
        Sampling sampling,
        Templates templates,
        Duration shutdownTimeout,
        Handover handover) {

    public enum Protocol {
        AUTO("auto"), SFLOW("sflow"), NETFLOW("netflow"), IPFIX("ipfix");

        public final String configName;

        Protocol(String configName) {
            this.configName = configName;
        }
    }

    public enum Steering {
        /** eBPF: a random socket per packet (even spread, the article's choice). */
        RANDOM("random"),
        /** eBPF: sockets in turn. */
        ROUND_ROBIN("round-robin"),
        /** No eBPF: the kernel's SO_REUSEPORT hash of the 4-tuple (one exporter → one socket). */
        HASH("hash");

        public final String configName;

        Steering(String configName) {
            this.configName = configName;
        }
    }

    public enum OutputType {
        KAFKA("kafka"), FILE("file"), NONE("none"),
        /** Each datagram undecoded as Akvorado's RawFlow, for an Akvorado outlet (docs/goflow2-compatibility.md). */
        AKVORADO("akvorado");

        public final String configName;

        OutputType(String configName) {
            this.configName = configName;
        }
    }

    /**
     * @param name the metrics label: the address as configured, e.g. {@code 0.0.0.0:2055}
     * @param rcvbuf SO_RCVBUF per socket in bytes (the kernel doubles it and caps it at net.core.rmem_max)
     */
    public record Listener(String name, InetSocketAddress address, Protocol protocol, int workers, Steering steering, int rcvbuf) {}

    /**
     * @param producer producer properties passed through as given (they win over sluice's defaults)
     * @param flowsPerRecord up to this many length-delimited flows of one key per record (1: goflow2's contract)
     */
    public record Kafka(String bootstrapServers, String topic, String countersTopic, Map<String, String> producer,
                        PartitionKey partitionKey, Duration startupTimeout, int flowsPerRecord) {}

    /** @param flows flows per batch handed to the producer; @param maxAge a partial batch is handed over after this */
    public record Batching(int flows, Duration maxAge) {}

    /**
     * @param filePath file output path, {@code -} for stdout; @param countersPath where sFlow counters go ("" = not written)
     * @param framing how protobuf messages are laid out in Kafka records and the protobuf file (goflow2 v2: length-delimited)
     * @param jsonStyle the JSON file output's conventions
     * @param akvoradoTopic the Akvorado outlet's configured topic; records go to {@code <topic>-v5}
     */
    public record Output(OutputType type, String filePath, FileOutput.Format fileFormat, String countersPath,
                         io.sluice.output.RecordFraming framing, io.sluice.flow.JsonStyle jsonStyle, String akvoradoTopic) {}

    /** @param defaultRate for flows without a rate whose exporter is not listed; 0 = leave 0 */
    public record Sampling(long defaultRate, Map<InetAddress, Long> exporters) {}

    /**
     * The graceful restart (docs/upgrade.md).
     *
     * @param enabled take the listeners over from a running sluice and pin the handover state
     * @param pinRoot the bpffs directory holding one directory of pins per listener
     * @param stateDir where the template snapshot is kept for the next process ("" = none)
     * @param templateSnapshotMaxAge an older snapshot is not loaded (exporters may have changed their templates)
     */
    public record Handover(boolean enabled, java.nio.file.Path pinRoot, String stateDir, Duration templateSnapshotMaxAge) {}

    /**
     * Bounds of the NetFlow v9 / IPFIX template store.
     *
     * @param pendingMaxSets data sets held per exporter while their template is missing
     * @param pendingMaxTotal the same, all exporters together
     * @param pendingMaxAge how long such a set waits
     * @param maxTemplates templates kept, all exporters together (new ones beyond are refused)
     */
    public record Templates(int pendingMaxSets, int pendingMaxTotal, Duration pendingMaxAge, int maxTemplates) {}
}

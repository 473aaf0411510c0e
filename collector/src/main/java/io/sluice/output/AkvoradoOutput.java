package io.sluice.output;

import io.sluice.decode.Datagram;
import io.sluice.flow.AddressFormat;
import io.sluice.flow.pb.CounterMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * {@code output.type: akvorado}: every received datagram, undecoded, as one Akvorado {@code RawFlow}
 * record ({@link RawFlowEncoder}), bare (Akvorado's inlet writes the marshalled message as the record
 * value and its outlet unmarshals the whole value), to {@code <topic>-v5}: the topic an Akvorado
 * outlet configured with {@code topic} reads (its schema version, {@code pb.Version = 5}). Keyed like
 * Akvorado's inlet: the exporter address as text with partition-key exporter (one exporter per
 * partition), no key otherwise. An Akvorado installation keeps its outlet and gains sluice's socket
 * spreading and handover; decoding, sampling and enrichment stay the outlet's.
 *
 * <p>The producer, its settings and the delivery accounting are the Kafka output's: a RawFlow counts
 * where a flow would (sent, or dropped by reason).
 */
public final class AkvoradoOutput implements FlowOutput {
    /** Akvorado's RawFlow schema version (common/pb/rawflow.go), the suffix of the topic its outlet reads. */
    public static final int SCHEMA_VERSION = 5;

    private final KafkaOutput kafka;
    private final boolean keyByExporter;

    private AkvoradoOutput(KafkaOutput kafka, boolean keyByExporter) {
        this.kafka = kafka;
        this.keyByExporter = keyByExporter;
    }

    /** The topic an Akvorado outlet configured with {@code topic} reads. */
    public static String topic(String configured) {
        return configured + "-v" + SCHEMA_VERSION;
    }

    /** @param settings the Kafka settings; their flows topic is replaced by {@link #topic(String)} of {@code akvoradoTopic} */
    public static AkvoradoOutput open(KafkaSettings settings, String akvoradoTopic) throws OutputUnavailableException {
        return open(settings, akvoradoTopic, io.sluice.output.spool.SpoolSettings.DEFAULTS);
    }

    /** With the disk spool of the Kafka output under it (its records, one per datagram, are spooled like flow records). */
    public static AkvoradoOutput open(KafkaSettings settings, String akvoradoTopic, io.sluice.output.spool.SpoolSettings spool)
            throws OutputUnavailableException {
        String t = topic(akvoradoTopic);
        KafkaSettings s = new KafkaSettings(settings.bootstrapServers(), t, t, t, settings.producerProperties(),
                settings.partitionKey(), settings.backpressure(), settings.startupTimeout(), settings.createTopics(),
                RecordFraming.BARE, 1);
        return new AkvoradoOutput(KafkaOutput.open(s, spool), settings.partitionKey() == PartitionKey.EXPORTER);
    }

    @Override
    public io.sluice.output.spool.KafkaSpool spool() {
        return kafka.spool();
    }

    @Override
    public WorkerOutput forWorker(String listener, int worker) {
        return new Worker((KafkaOutput.Worker) kafka.forWorker(listener, worker));
    }

    @Override
    public boolean ready() {
        return kafka.ready();
    }

    @Override
    public void flush(Duration timeout) {
        kafka.flush(timeout);
    }

    @Override
    public void close(Duration timeout) {
        kafka.close(timeout);
    }

    private final class Worker implements WorkerOutput, DatagramOutput {
        private final KafkaOutput.Worker kafkaWorker;
        /** The last exporter and its key: a datagram's key costs no allocation while the exporter repeats. */
        private final byte[] lastExporter = new byte[16];
        private int lastExporterLength = -1;
        private byte[] lastKey;

        Worker(KafkaOutput.Worker kafkaWorker) {
            this.kafkaWorker = kafkaWorker;
        }

        @Override
        public void datagram(Datagram d) {
            kafkaWorker.sendRecord(keyByExporter ? key(d) : null, RawFlowEncoder.encode(d));
        }

        private byte[] key(Datagram d) {
            int n = d.exporterAddressLength;
            if (n != lastExporterLength || !Arrays.equals(lastExporter, 0, n, d.exporterAddress, 0, n)) {
                System.arraycopy(d.exporterAddress, 0, lastExporter, 0, n);
                lastExporterLength = n;
                lastKey = AddressFormat.format(d.exporterAddress, n).getBytes(StandardCharsets.US_ASCII);
            }
            return lastKey;
        }

        /** Never called: a worker whose output takes datagrams does not decode (WorkerPipeline). */
        @Override
        public void send(FlowBatch batch) {
            throw new IllegalStateException("the akvorado output takes datagrams, not flows");
        }

        /** sFlow counters travel inside the datagrams; the outlet reads them there. */
        @Override
        public void counters(CounterMessage counters) {}

        /** sFlow drop notifications travel inside the datagrams too. */
        @Override
        public void drop(io.sluice.flow.pb.DropMessage drop) {}

        @Override
        public OutputStats stats() {
            return kafkaWorker.stats();
        }
    }
}

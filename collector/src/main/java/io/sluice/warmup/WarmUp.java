package io.sluice.warmup;

import io.sluice.config.SluiceConfig;
import io.sluice.decode.Datagram;
import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.ListenerProtocol;
import io.sluice.ledger.ExporterTable;
import io.sluice.output.FlowBatch;
import io.sluice.output.NoneOutput;
import io.sluice.pipeline.BatchingFlowSink;
import io.sluice.pipeline.WorkerPipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Function;

/**
 * Runs {@link SyntheticExports} through the code a worker runs per datagram (exporter accounting,
 * version dispatch, the decoders, batching and protobuf encoding) for a time budget, on private state:
 * its own template store, sampling table and exporter table, and an output that discards. Nothing it
 * does is seen by the live service, its metrics or Kafka; what it leaves is compiled code.
 *
 * <p>Why: a successor that takes the port with a cold JVM runs interpreted and compiles for its first
 * seconds, while the full rate lands on its sockets at once (the predecessor's program is replaced in one
 * step), and what it cannot read in time the kernel drops (issue 14: always lossy from 60k IPFIX
 * datagrams/s, all the loss in the successor's first ~5 s). The datagrams come in direct buffers, as
 * the receive path hands them, so the JIT sees the buffer type of live traffic.
 */
public final class WarmUp {
    /** What a warm-up did: datagrams and flows through the decoders, errors (0 unless a decoder changed), and how long. */
    public record Result(long datagrams, long flows, long errors, Duration took) {}

    private static final int ROUNDS = 64;
    private static final long IDLE_EVERY = 256;

    private WarmUp() {}

    /**
     * Warms the decoders of {@code protocols} (one private pipeline each) for {@code budget}.
     *
     * @param newDecoder makes a decoder for a protocol on state of its own (a fresh template store: the
     *     service passes a new {@code StandardDecoders}'s, never the live one)
     */
    public static Result run(SluiceConfig config, Collection<ListenerProtocol> protocols,
                             Function<ListenerProtocol, ? extends DatagramDecoder> newDecoder, FlowBatch.Encoding encoding,
                             Duration budget) {
        ExporterTable exporters = new ExporterTable(16, config.exporters().reorderWindow());
        NoneOutput discard = new NoneOutput();
        List<WorkerPipeline> pipelines = new ArrayList<>();
        List<ListenerProtocol> accepts = new ArrayList<>();
        for (ListenerProtocol protocol : protocols.isEmpty() ? EnumSet.of(ListenerProtocol.AUTO) : EnumSet.copyOf(protocols)) {
            accepts.add(protocol);
            BatchingFlowSink sink = new BatchingFlowSink(
                    new FlowBatch(config.batching().flows(), config.kafka().partitionKey(), encoding),
                    discard.forWorker("warm-up", pipelines.size()), config.batching().maxAge().toNanos());
            pipelines.add(new WorkerPipeline(newDecoder.apply(protocol), sink, "warm-up/" + protocol.configName, exporters));
        }
        List<SyntheticExports.Export> datagrams = SyntheticExports.all(ROUNDS);
        Datagram holder = new Datagram(65_536);
        long t0 = System.nanoTime();
        long deadline = t0 + budget.toNanos();
        long fed = 0;
        do {
            for (SyntheticExports.Export d : datagrams) {
                for (int i = 0; i < pipelines.size(); i++) {
                    ListenerProtocol accepted = accepts.get(i);
                    if (accepted != ListenerProtocol.AUTO && accepted != d.protocol()) continue; // as the listener would refuse it
                    holder.buffer.put(0, d.bytes()); // a decoder may have moved nothing, but rewrite: the holder is shared
                    holder.length = d.bytes().length;
                    holder.setExporter(SyntheticExports.EXPORTER, 2055);
                    holder.timeReceivedNs = System.currentTimeMillis() * 1_000_000L;
                    pipelines.get(i).onDatagram(holder);
                    fed++;
                }
                if (fed % IDLE_EVERY < pipelines.size()) for (WorkerPipeline p : pipelines) p.onIdle(System.nanoTime());
            }
        } while (System.nanoTime() - deadline < 0);
        long flows = 0;
        long errors = 0;
        for (WorkerPipeline p : pipelines) {
            p.onStop();
            flows += p.decodeStats().totalFlows();
            errors += p.decodeStats().totalErrors();
        }
        return new Result(fed, flows, errors, Duration.ofNanos(System.nanoTime() - t0));
    }
}

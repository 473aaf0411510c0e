package io.sluice.pipeline;

import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.DecodeStats;
import io.sluice.ledger.ExporterAccounting;
import io.sluice.ledger.ExporterTable;
import io.sluice.output.DatagramOutput;
import io.sluice.worker.DatagramHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What one worker does with each datagram: decode into its batching sink; on idle hand over a batch
 * that is older than the max age; on stop hand over what is left. All on the worker's thread.
 */
public final class WorkerPipeline implements DatagramHandler {
    private final DatagramDecoder decoder;
    private final DecodeStats stats = new DecodeStats();
    private final BatchingFlowSink sink;
    private final DecodeErrorLog errorLog;
    /** Non-null when the output takes datagrams undecoded (output type akvorado): decoding is skipped. */
    private final DatagramOutput forward;
    /** Datagrams handed in from outside (restored template messages), decoded on this worker's thread. */
    private final ConcurrentLinkedQueue<CapturedDatagram> injected = new ConcurrentLinkedQueue<>();
    private volatile boolean hasInjected;
    private Datagram injectedHolder;
    /** The per-exporter accounting (io.sluice.ledger), or null when the pipeline has none (tests of it alone). */
    private final ExporterAccounting exporters;

    public WorkerPipeline(DatagramDecoder decoder, BatchingFlowSink sink) {
        this(decoder, sink, "worker");
    }

    /** @param name the worker's name in log lines, e.g. {@code 0.0.0.0:4739/1} */
    public WorkerPipeline(DatagramDecoder decoder, BatchingFlowSink sink, String name) {
        this(decoder, sink, name, null);
    }

    /** @param exporters the exporter table shared by every worker, or null for none */
    public WorkerPipeline(DatagramDecoder decoder, BatchingFlowSink sink, String name, ExporterTable exporters) {
        this.exporters = exporters == null ? null : new ExporterAccounting(exporters);
        this.decoder = decoder;
        this.sink = sink;
        this.errorLog = new DecodeErrorLog(name);
        this.forward = sink.output() instanceof DatagramOutput d ? d : null;
    }

    @Override
    public void onDatagram(Datagram datagram) {
        if (forward != null) {
            forward.datagram(datagram);
            return;
        }
        long errorsBefore = stats.errorTotal();
        if (exporters != null) exporters.before(datagram, stats);
        decoder.decode(datagram, sink, stats);
        if (exporters != null) exporters.after(datagram, stats);
        if (stats.errorTotal() != errorsBefore) errorLog.failed(datagram, stats.lastError());
    }

    @Override
    public void onIdle(long nowNanos) {
        if (hasInjected) decodeInjected();
        sink.flushIfOlderThanMaxAge(nowNanos);
    }

    /**
     * Has this worker decode {@code datagram} as if received, on its own thread, at its next idle
     * point (after its current receive batch, or within a poll timeout): for the predecessor's last
     * templates, whose learning releases the data sets parked for them into this worker's sink.
     */
    public void inject(CapturedDatagram datagram) {
        injected.add(datagram);
        hasInjected = true;
    }

    private void decodeInjected() {
        hasInjected = false;
        if (injectedHolder == null) injectedHolder = new Datagram(0);
        CapturedDatagram m;
        while ((m = injected.poll()) != null) {
            injectedHolder.buffer = ByteBuffer.wrap(m.payload());
            injectedHolder.length = m.payload().length;
            injectedHolder.setExporter(m.sourceAddress(), m.sourcePort());
            injectedHolder.timeReceivedNs = System.currentTimeMillis() * 1_000_000L;
            onDatagram(injectedHolder);
        }
    }

    @Override
    public void onStop() {
        sink.flush();
    }

    public DecodeStats decodeStats() {
        return stats;
    }

    public BatchingFlowSink sink() {
        return sink;
    }
}

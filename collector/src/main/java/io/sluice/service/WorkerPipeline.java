package io.sluice.service;

import io.sluice.decode.Datagram;
import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.DecodeStats;
import io.sluice.output.BatchingFlowSink;
import io.sluice.worker.DatagramHandler;

/**
 * What one worker does with each datagram: decode into its batching sink; on idle hand over a batch
 * that is older than the max age; on stop hand over what is left. All on the worker's thread.
 */
public final class WorkerPipeline implements DatagramHandler {
    private final DatagramDecoder decoder;
    private final DecodeStats stats = new DecodeStats();
    private final BatchingFlowSink sink;
    private final DecodeErrorLog errorLog;

    public WorkerPipeline(DatagramDecoder decoder, BatchingFlowSink sink) {
        this(decoder, sink, "worker");
    }

    /** @param name the worker's name in log lines, e.g. {@code 0.0.0.0:4739/1} */
    public WorkerPipeline(DatagramDecoder decoder, BatchingFlowSink sink, String name) {
        this.decoder = decoder;
        this.sink = sink;
        this.errorLog = new DecodeErrorLog(name);
    }

    @Override
    public void onDatagram(Datagram datagram) {
        long errorsBefore = stats.errorTotal();
        decoder.decode(datagram, sink, stats);
        if (stats.errorTotal() != errorsBefore) errorLog.failed(datagram, stats.lastError());
    }

    @Override
    public void onIdle(long nowNanos) {
        sink.flushIfOlderThanMaxAge(nowNanos);
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

package io.sluice.pipeline;

import io.sluice.flow.FlowRecord;
import io.sluice.output.FlowBatch;
import io.sluice.output.OutputStats;
import io.sluice.output.WorkerOutput;
import io.sluice.flow.FlowSink;
import io.sluice.flow.pb.CounterMessage;

/**
 * A worker's FlowSink: encodes each flow into the worker's {@link FlowBatch}, and hands the batch to the output when it is full or older than the max
 * age. Single-threaded (the worker's), allocation-free per flow.
 */
public final class BatchingFlowSink implements FlowSink {
    private final FlowBatch batch;
    private final WorkerOutput output;
    private final long maxAgeNanos;
    private long batchesHandedOver;

    public BatchingFlowSink(FlowBatch batch, WorkerOutput output, long maxAgeNanos) {
        this.batch = batch;
        this.output = output;
        this.maxAgeNanos = maxAgeNanos;
    }

    @Override
    public void flow(FlowRecord flow) {
        // nanoTime only for the first flow of a batch: it starts the age clock
        batch.add(flow, batch.isEmpty() ? System.nanoTime() : 0);
        if (batch.isFull()) handOver();
    }

    @Override
    public void drop(io.sluice.flow.pb.DropMessage drop) {
        output.drop(drop);
    }

    @Override
    public void counters(CounterMessage counters) {
        output.counters(counters);
    }

    /** Hands the batch over when its first flow is older than the max age; call it from DatagramHandler.onIdle. */
    public void flushIfOlderThanMaxAge(long nowNanos) {
        if (!batch.isEmpty() && nowNanos - batch.firstAddedNanos() >= maxAgeNanos) handOver();
    }

    /** Hands over what the batch holds (on stop). */
    public void flush() {
        if (!batch.isEmpty()) handOver();
    }

    private void handOver() {
        output.send(batch);
        batch.clear();
        batchesHandedOver++;
    }

    public long batchesHandedOver() {
        return batchesHandedOver;
    }

    public OutputStats stats() {
        return output.stats();
    }

    /** The worker's output this sink hands its batches to. */
    public WorkerOutput output() {
        return output;
    }
}

package io.sluice.output;

import io.sluice.flow.pb.CounterMessage;

/** One worker's end of a {@link FlowOutput}; called from that worker's thread only. */
public interface WorkerOutput {
    /**
     * Hands every flow of the batch over (copying what it keeps); the caller clears and reuses the batch
     * after return. May block under policy {@code block}.
     */
    void send(FlowBatch batch);

    /** One sFlow counter record, to the counters topic/file. */
    void counters(CounterMessage counters);

    /**
     * One sFlow drop notification, for its own topic/file. Until an output routes them (the framing of
     * the outputs is being reworked), they are counted as not delivered, never lost silently.
     */
    default void drop(io.sluice.flow.pb.DropMessage drop) {
        stats().dropNotificationDropped();
    }

    OutputStats stats();
}

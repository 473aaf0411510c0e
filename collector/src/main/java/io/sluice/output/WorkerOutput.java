package io.sluice.output;

import io.sluice.flow.pb.CounterMessage;
import io.sluice.flow.pb.DropMessage;

/** One worker's end of a {@link FlowOutput}; called from that worker's thread only. */
public interface WorkerOutput {
    /**
     * Hands every flow of the batch over (copying what it keeps); the caller clears and reuses the batch
     * after return. May block under policy {@code block}.
     */
    void send(FlowBatch batch);

    /** One sFlow counter record, to the counters topic/file. */
    void counters(CounterMessage counters);

    /** One sFlow drop notification, to the drops topic/file; counted sent or dropped like a counter record. */
    void drop(DropMessage drop);

    OutputStats stats();
}

package io.sluice.flow;

import io.sluice.flow.pb.CounterMessage;

/**
 * Where a decoder puts what it decodes. Called on the decoding thread; implementations must not keep
 * the {@link FlowRecord} after returning (it is reused for the next flow).
 */
public interface FlowSink {
    /** One decoded flow. */
    void flow(FlowRecord flow);

    /** One sFlow counter record (rare: a few per exporter per interval, so a built message is fine). */
    default void counters(CounterMessage counters) {}

    /** One sFlow drop notification (rare, like counters). */
    default void drop(io.sluice.flow.pb.DropMessage drop) {}
}

package io.sluice.decode;

import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.pb.CounterMessage;

/**
 * The one policy of every decoder for exceptions: what the sink throws is the sink's business and goes
 * on up unchanged (the worker counts it as a handler error); anything else thrown while decoding is a
 * decoder bug, not an input problem (every read is bounds-checked), so it is counted as
 * {@link DecodeError#MALFORMED} and the worker lives on. MALFORMED from this guard is what the fuzz tests
 * require to stay 0.
 *
 * <p>A decoder owns one guard, points it at the datagram's sink with {@link #around}, hands the guard to
 * its record code as the sink, and calls {@link #caught} from its one catch block. One instance per
 * decoder (and so per worker thread).
 */
public final class SinkGuard implements FlowSink {
    private FlowSink sink;
    private boolean inSink;
    private long decoderBugs;

    /** Directs flows to {@code target} for the next datagram; returns this guard as the sink to use. */
    public FlowSink around(FlowSink target) {
        sink = target;
        inSink = false;
        return this;
    }

    @Override
    public void flow(FlowRecord flow) {
        inSink = true;
        sink.flow(flow);
        inSink = false;
    }

    @Override
    public void counters(CounterMessage counters) {
        inSink = true;
        sink.counters(counters);
        inSink = false;
    }

    @Override
    public void drop(io.sluice.flow.pb.DropMessage drop) {
        inSink = true;
        sink.drop(drop);
        inSink = false;
    }

    /** Rethrows {@code e} if the sink threw it; else counts it as a decoder bug. */
    public void caught(RuntimeException e, DecodeStats stats) {
        if (inSink) {
            inSink = false;
            throw e;
        }
        decoderBugs++;
        stats.error(DecodeError.MALFORMED);
    }

    /** Exceptions taken for decoder bugs so far (tests require 0). */
    public long decoderBugs() {
        return decoderBugs;
    }
}

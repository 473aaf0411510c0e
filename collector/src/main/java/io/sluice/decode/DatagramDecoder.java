package io.sluice.decode;

import io.sluice.flow.FlowSink;

/**
 * Decodes one datagram of one protocol into flows. Implementations never throw: malformed input is
 * counted in {@link DecodeStats} under a {@link DecodeError} and what can be kept is kept.
 */
public interface DatagramDecoder {
    void decode(Datagram datagram, FlowSink sink, DecodeStats stats);
}

package io.sluice.worker;

import io.sluice.decode.Datagram;

/**
 * What a worker thread does with what its socket receives: the service plugs decode → output in here,
 * tests plug counters. All calls come from the one worker thread that owns the handler.
 */
public interface DatagramHandler {
    /** One received datagram; the holder and its buffer are reused after return. */
    void onDatagram(Datagram datagram);

    /**
     * Called after each receive batch and when a receive wait times out (a few times a second at
     * least), so handlers can flush batches by age without a timer thread.
     */
    default void onIdle(long nowNanos) {}

    /** Called once after the socket was drained on stop, before the thread exits: flush here. */
    default void onStop() {}
}

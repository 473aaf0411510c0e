package io.sluice.worker;

/**
 * Receive counters of one worker: written by its thread only, read by the metrics scrape
 * (single writer, so a volatile read-modify-write is race-free and the scrape sees fresh values).
 */
public final class ReceiveStats {

    private volatile long packets;
    private volatile long bytes;
    private volatile long receiveErrors;

    /** Single writer: a plain read-modify-write published with a volatile store is race-free here. */
    public void received(int length) {
        packets = packets + 1;
        bytes = bytes + length;
    }

    public void receiveError() {
        receiveErrors = receiveErrors + 1;
    }

    public long packets() {
        return packets;
    }

    public long bytes() {
        return bytes;
    }

    public long receiveErrors() {
        return receiveErrors;
    }
}

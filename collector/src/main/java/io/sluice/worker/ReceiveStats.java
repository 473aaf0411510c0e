package io.sluice.worker;

/**
 * Receive counters of one worker: written by its thread only, read by the metrics scrape
 * (single writer, so a volatile read-modify-write is race-free and the scrape sees fresh values).
 * The worker adds a whole receive batch at once ({@link #receivedBatch}), one volatile store per
 * counter per batch rather than per datagram.
 */
public final class ReceiveStats {

    private volatile long packets;
    private volatile long bytes;
    private volatile long receiveErrors;
    private volatile long truncated;
    private volatile long handlerErrors;
    private volatile long batches;
    private volatile long discardedAtStop;

    /** Single writer: a plain read-modify-write published with a volatile store is race-free here. */
    public void received(int length) {
        packets = packets + 1;
        bytes = bytes + length;
    }

    /** One receive call that returned {@code count} datagrams of {@code byteCount} bytes in total. */
    public void receivedBatch(int count, long byteCount) {
        packets = packets + count;
        bytes = bytes + byteCount;
        batches = batches + 1;
    }

    public void receiveError() {
        receiveErrors = receiveErrors + 1;
    }

    /** A datagram longer than the receive slot: cut by the kernel (MSG_TRUNC), not passed on. */
    public void truncatedDatagram() {
        truncated = truncated + 1;
    }

    /** The handler threw on a datagram; the worker went on. */
    public void handlerError() {
        handlerErrors = handlerErrors + 1;
    }

    /** Datagrams still queued when the stop's drain bound passed: read and thrown away, not decoded. */
    public void discardedAtStop(int count) {
        discardedAtStop = discardedAtStop + count;
    }

    public long discardedAtStop() {
        return discardedAtStop;
    }

    /** Datagrams passed to the handler (truncated ones are not counted here). */
    public long packets() {
        return packets;
    }

    public long bytes() {
        return bytes;
    }

    public long receiveErrors() {
        return receiveErrors;
    }

    public long truncated() {
        return truncated;
    }

    public long handlerErrors() {
        return handlerErrors;
    }

    /** recvmmsg calls that returned at least one datagram: packets / batches is the mean batch size. */
    public long batches() {
        return batches;
    }
}

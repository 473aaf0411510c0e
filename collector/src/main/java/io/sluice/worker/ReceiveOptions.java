package io.sluice.worker;

import java.time.Duration;

/**
 * How a worker receives.
 *
 * @param batchSize datagrams per recvmmsg call (K slots)
 * @param slotBytes bytes per slot: longer datagrams are counted as truncated and dropped
 * @param pollTimeoutMillis longest wait before the loop checks for stop and calls onIdle
 * @param drainLimit how long a stopping worker keeps draining a socket the kernel still feeds
 */
public record ReceiveOptions(int batchSize, int slotBytes, int pollTimeoutMillis, Duration drainLimit) {
    /** 64 slots of 9216 bytes (jumbo-frame exporters), 50 ms poll, 2 s drain bound. */
    public static final ReceiveOptions DEFAULT = new ReceiveOptions(64, 9216, 50, Duration.ofSeconds(2));

    /** These options with another drain bound. */
    public ReceiveOptions withDrainLimit(Duration limit) {
        return new ReceiveOptions(batchSize, slotBytes, pollTimeoutMillis, limit);
    }

    public ReceiveOptions {
        if (batchSize < 1 || batchSize > 1024) {
            throw new IllegalArgumentException("batch size must be 1..1024, got " + batchSize);
        }
        if (slotBytes < 64 || slotBytes > 65536) {
            throw new IllegalArgumentException("slot size must be 64..65536 bytes, got " + slotBytes);
        }
        if (pollTimeoutMillis < 1 || pollTimeoutMillis > 1000) {
            throw new IllegalArgumentException("poll timeout must be 1..1000 ms, got " + pollTimeoutMillis);
        }
        if (drainLimit.isNegative()) {
            throw new IllegalArgumentException("drain limit must not be negative: " + drainLimit);
        }
    }
}

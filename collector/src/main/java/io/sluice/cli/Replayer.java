package io.sluice.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends datagrams to one address from one source socket at a steady rate: every datagram has its
 * slot on a fixed schedule (start + i / rate), so a late send is followed by catch-up sends rather than
 * drift, and the average rate is exact. Waits park for long gaps and spin for the last few µs.
 */
public final class Replayer {
    /** What was sent. */
    public record Result(long datagrams, long bytes, long nanos, InetSocketAddress source) {
        public double seconds() {
            return nanos / 1e9;
        }

        public double rate() {
            return nanos == 0 ? 0 : datagrams / seconds();
        }
    }

    private static final long SPIN_NANOS = 50_000;

    private Replayer() {}

    /**
     * @param ratePerSecond datagrams per second; 0 = as fast as the socket takes them
     * @param loops how many times the whole list is sent
     */
    public static Result send(List<byte[]> payloads, InetSocketAddress to, double ratePerSecond, int loops) throws IOException {
        return send(payloads, to, null, ratePerSecond, loops);
    }

    /**
     * @param from the source address to bind (null: any); e.g. 127.0.0.2 to act as another exporter on loopback
     */
    public static Result send(List<byte[]> payloads, InetSocketAddress to, java.net.InetAddress from, double ratePerSecond, int loops)
            throws IOException {
        if (ratePerSecond < 0) throw new IllegalArgumentException("rate must be >= 0");
        if (loops < 1) throw new IllegalArgumentException("loops must be >= 1");
        StandardProtocolFamily family = to.getAddress() instanceof java.net.Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        int max = payloads.stream().mapToInt(p -> p.length).max().orElse(0);
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.max(1, max));
        long intervalNanos = ratePerSecond == 0 ? 0 : (long) (1e9 / ratePerSecond);
        long sent = 0, bytes = 0;
        try (DatagramChannel channel = DatagramChannel.open(family)) {
            channel.bind(from == null ? null : new InetSocketAddress(from, 0));
            channel.connect(to); // one peer: the kernel checks the route once
            long start = System.nanoTime();
            for (int loop = 0; loop < loops; loop++) {
                for (byte[] p : payloads) {
                    if (intervalNanos > 0) awaitSlot(start + sent * intervalNanos);
                    buf.clear();
                    buf.put(p).flip();
                    try {
                        channel.write(buf);
                    } catch (java.net.PortUnreachableException e) {
                        // an ICMP port unreachable from an earlier datagram (nobody listening yet): keep the schedule
                    }
                    sent++;
                    bytes += p.length;
                }
            }
            return new Result(sent, bytes, System.nanoTime() - start, (InetSocketAddress) channel.getLocalAddress());
        }
    }

    private static void awaitSlot(long slot) {
        long wait;
        while ((wait = slot - System.nanoTime()) > 0) {
            if (wait > SPIN_NANOS) LockSupport.parkNanos(wait - SPIN_NANOS);
            else Thread.onSpinWait();
        }
    }
}

package io.sluice.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * One source socket sending to a listener on loopback, paced so the receivers never fall more than
 * {@code window} datagrams behind (received == sent must hold without drops on a busy 2-core box).
 */
public final class UdpSender implements AutoCloseable {
    private final DatagramChannel channel;
    private final ByteBuffer payload;

    public UdpSender(InetSocketAddress target, int payloadBytes) throws IOException {
        channel = DatagramChannel.open(target.getAddress() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        channel.connect(target);
        payload = ByteBuffer.allocate(payloadBytes);
        for (int i = 0; i < payloadBytes; i++) payload.put(i, (byte) ('a' + i % 26));
    }

    public InetSocketAddress localAddress() throws IOException {
        return (InetSocketAddress) channel.getLocalAddress();
    }

    /** Sends one datagram; true if the kernel took it. */
    public boolean send() throws IOException {
        payload.clear();
        return channel.write(payload) > 0;
    }

    /**
     * Sends {@code count} datagrams, waiting whenever more than {@code window} are not yet received.
     *
     * @return datagrams sent
     */
    public long sendPaced(int count, LongSupplier received, int window, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long sent = 0;
        while (sent < count) {
            while (sent - received.getAsLong() >= window) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("receivers stalled: sent " + sent + ", received " + received.getAsLong());
                }
                LockSupport.parkNanos(20_000);
            }
            if (send()) sent++;
        }
        return sent;
    }

    /** Waits until {@code received} reaches {@code expected} or the timeout passes; returns the last value. */
    public static long awaitReceived(LongSupplier received, long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long r;
        while ((r = received.getAsLong()) < expected && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        return r;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

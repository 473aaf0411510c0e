package io.sluice.guard;

import io.sluice.decode.Datagram;
import io.sluice.worker.DatagramHandler;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Test senders bound to a chosen loopback source address, and a handler counting what arrives per source. */
final class Sources {
    private Sources() {}

    /** A socket bound to {@code source} (127.0.0.x or ::1) sending to {@code target}. */
    static final class Sender implements AutoCloseable {
        final InetAddress source;
        private final DatagramChannel channel;
        private final ByteBuffer payload = ByteBuffer.allocate(32);
        private final InetSocketAddress target;
        long sent;

        Sender(String source, InetSocketAddress target) throws IOException {
            this.source = InetAddress.getByName(source);
            channel = DatagramChannel.open(this.source instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
            channel.bind(new InetSocketAddress(this.source, 0));
            InetAddress to = this.source instanceof Inet4Address ? InetAddress.getByName("127.0.0.1") : InetAddress.getByName("::1");
            // Not connected: a refused datagram draws an ICMP port unreachable (the kernel found no socket),
            // which a connected socket would report as an error on its next send.
            this.target = new InetSocketAddress(to, target.getPort());
        }

        void send() throws IOException {
            payload.clear();
            if (channel.send(payload, target) > 0) sent++;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** Counts datagrams per source address (an IPv4-mapped one as its IPv4 address). */
    static final class Counter {
        final Map<InetAddress, LongAdder> bySource = new ConcurrentHashMap<>();
        final LongAdder total = new LongAdder();

        DatagramHandler handler() {
            return this::count;
        }

        private void count(Datagram d) {
            try {
                InetAddress a = InetAddress.getByAddress(Arrays.copyOf(d.exporterAddress, d.exporterAddressLength));
                bySource.computeIfAbsent(a, k -> new LongAdder()).increment();
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
            total.increment();
        }

        long from(InetAddress source) {
            LongAdder n = bySource.get(source);
            return n == null ? 0 : n.sum();
        }
    }
}

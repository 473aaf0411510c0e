package io.sluice.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.Datagram;
import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.testing.UdpSender;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The receive loop on real sockets: what it hands the handler, drain on stop, bad handlers, truncation. */
class WorkerTest {

    private static ReuseportSocketGroup group(String address, int n) throws Exception {
        return ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getByName(address), 0), n, 4 << 20);
    }

    /** Copies what it sees (test only: the hot path does not allocate). */
    static final class Recorder implements DatagramHandler {
        final List<String> payloads = Collections.synchronizedList(new ArrayList<>());
        volatile byte[] lastAddress;
        volatile int lastPort;
        volatile long lastTime;
        volatile int stops;
        volatile long countAtStop = -1;
        final AtomicLong count = new AtomicLong();
        volatile String thread;

        @Override
        public void onDatagram(Datagram d) {
            byte[] payload = new byte[d.length];
            d.buffer.get(0, payload);
            payloads.add(new String(payload));
            lastAddress = java.util.Arrays.copyOf(d.exporterAddress, d.exporterAddressLength);
            lastPort = d.exporterPort;
            lastTime = d.timeReceivedNs;
            thread = Thread.currentThread().getName();
            count.incrementAndGet();
        }

        @Override
        public void onStop() {
            stops++;
            countAtStop = count.get();
        }
    }

    @Test
    void handsPayloadSourceAndTimeToTheHandler() throws Exception {
        for (String address : new String[] {"127.0.0.1", "::1"}) {
            Recorder r = new Recorder();
            try (WorkerPool pool = new WorkerPool("rx", group(address, 1), i -> r, ReceiveOptions.DEFAULT);
                    UdpSender sender = new UdpSender(pool.group().localAddress(), 30)) {
                pool.start();
                long before = System.currentTimeMillis() * 1_000_000L;
                sender.send();
                assertEquals(1, UdpSender.awaitReceived(r.count::get, 1, Duration.ofSeconds(5)));
                assertEquals("abcdefghijklmnopqrstuvwxyzabcd", r.payloads.get(0));
                assertArrayEquals(InetAddress.getByName(address).getAddress(), r.lastAddress);
                assertEquals(sender.localAddress().getPort(), r.lastPort);
                assertTrue(Math.abs(r.lastTime - before) < Duration.ofSeconds(5).toNanos(), "time " + r.lastTime);
                assertEquals("sluice-worker-rx-0", r.thread);
                assertEquals(1, pool.stats(0).packets());
                assertEquals(30, pool.stats(0).bytes());
            }
            assertEquals(1, r.stops);
        }
    }

    @Test
    void ipv4SourcesOnADualStackSocketAreIpv4() throws Exception {
        Recorder r = new Recorder();
        try (WorkerPool pool = new WorkerPool("dual", group("::", 1), i -> r, ReceiveOptions.DEFAULT);
                UdpSender sender = new UdpSender(new InetSocketAddress("127.0.0.1", pool.group().port()), 8)) {
            pool.start();
            sender.send();
            assertEquals(1, UdpSender.awaitReceived(r.count::get, 1, Duration.ofSeconds(5)));
            assertArrayEquals(new byte[] {127, 0, 0, 1}, r.lastAddress);
        }
    }

    @Test
    void stopDrainsWhatIsQueuedBeforeOnStop() throws Exception {
        Recorder r = new Recorder();
        ReuseportSocketGroup g = group("127.0.0.1", 1);
        WorkerPool pool = new WorkerPool("drain", g, i -> r, new ReceiveOptions(16, 2048, 1000, Duration.ofSeconds(2)));
        try (UdpSender sender = new UdpSender(g.localAddress(), 100)) {
            for (int i = 0; i < 1000; i++) assertTrue(sender.send());
        }
        pool.start();
        pool.workers().get(0).stop(); // at once: the loop must still drain the 1000 queued datagrams
        assertTrue(pool.stop(Duration.ofSeconds(5)));
        assertEquals(1000, r.countAtStop, "onStop must come after the drain");
        assertEquals(1, r.stops);
        assertFalse(g.isClosed(), "stop leaves the sockets open");
        pool.close();
        assertTrue(g.isClosed(), "close closes them after the drain");
        assertEquals(1000, pool.stats(0).packets());
        assertTrue(pool.stats(0).batches() <= 1000 / 16 + 2, "batched reads: " + pool.stats(0).batches() + " batches");
    }

    @Test
    void aThrowingHandlerDoesNotKillTheWorker() throws Exception {
        AtomicLong seen = new AtomicLong();
        DatagramHandler flaky = d -> {
            if (seen.incrementAndGet() % 2 == 0) throw new IllegalStateException("boom " + seen.get());
        };
        try (WorkerPool pool = new WorkerPool("flaky", group("127.0.0.1", 1), i -> flaky, ReceiveOptions.DEFAULT);
                UdpSender sender = new UdpSender(pool.group().localAddress(), 10)) {
            pool.start();
            for (int i = 0; i < 100; i++) sender.send();
            assertEquals(100, UdpSender.awaitReceived(seen::get, 100, Duration.ofSeconds(5)));
            assertEquals(50, pool.stats(0).handlerErrors());
            assertTrue(pool.workers().get(0).isAlive());
        }
    }

    @Test
    void datagramsLongerThanTheSlotAreCountedNotPassedOn() throws Exception {
        Recorder r = new Recorder();
        try (WorkerPool pool = new WorkerPool("trunc", group("127.0.0.1", 1), i -> r,
                new ReceiveOptions(8, 64, 50, Duration.ofSeconds(1)));
                UdpSender big = new UdpSender(pool.group().localAddress(), 100);
                UdpSender small = new UdpSender(pool.group().localAddress(), 64)) {
            pool.start();
            for (int i = 0; i < 5; i++) {
                big.send();
                small.send();
            }
            assertEquals(5, UdpSender.awaitReceived(r.count::get, 5, Duration.ofSeconds(5)));
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (pool.stats(0).truncated() < 5 && System.nanoTime() < deadline) Thread.sleep(2);
            assertEquals(5, pool.stats(0).truncated());
            assertEquals(5, pool.stats(0).packets());
            assertTrue(r.payloads.stream().allMatch(p -> p.length() == 64));
        }
    }

    /**
     * A backlog longer than the drain bound: what the worker could not decode in time is read, counted
     * as discarded at the stop and thrown away, so received + discarded = sent (closing the socket over
     * it would lose it uncounted).
     */
    @Test
    void whatIsQueuedAfterTheDrainBoundIsCountedAsDiscarded() throws Exception {
        int sent = 3_000;
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        DatagramHandler slow = new DatagramHandler() {
            @Override
            public void onDatagram(Datagram d) {
                first.countDown();
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // 1 ms a datagram: 3 s for the lot
            }

            @Override
            public void onStop() {}
        };
        ReceiveOptions options = ReceiveOptions.DEFAULT.withDrainLimit(Duration.ofMillis(200));
        WorkerPool pool = new WorkerPool("rx", group("127.0.0.1", 1), i -> slow, options);
        try (UdpSender sender = new UdpSender(pool.group().localAddress(), 64)) {
            pool.start();
            for (int i = 0; i < sent; i++) assertTrue(sender.send());
            assertTrue(first.await(5, java.util.concurrent.TimeUnit.SECONDS));
        } finally {
            pool.close();
        }
        ReceiveStats s = pool.stats(0);
        System.out.printf("decoded %d, discarded at the stop %d of %d%n", s.packets(), s.discardedAtStop(), sent);
        assertTrue(s.discardedAtStop() > 0, "the backlog outlasted the 200 ms bound");
        assertEquals(sent, s.packets() + s.discardedAtStop(), "received + discarded = sent (4 MiB buffer: no kernel drop)");
    }
}

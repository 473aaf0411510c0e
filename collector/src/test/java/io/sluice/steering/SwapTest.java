package io.sluice.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.testing.BpfRequirement;
import io.sluice.testing.UdpSender;
import io.sluice.worker.ReceiveOptions;
import io.sluice.worker.WorkerPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The graceful handover: group A receives while one sender sends without pause; group B binds to the
 * same port, is swapped into A's socket map; A's workers drain until EAGAIN and A's sockets close.
 * Nothing may be lost: received by A + received by B == sent, and B received some.
 */
class SwapTest {
    static final int SOCKETS = 4;

    @Test
    void swapHandsOverWithoutLoss() throws Exception {
        BpfRequirement.assumeBpf();
        ReuseportSocketGroup a = ReuseportSocketGroup.open(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), SOCKETS, 4 << 20);
        WorkerPool poolA = new WorkerPool("swap-a", a, i -> d -> {}, ReceiveOptions.DEFAULT);
        try (Steering steering = Steering.attachOrFallback("swap", a, SteeringMode.RANDOM, BpfObjectSource.bundled())) {
            assertTrue(steering.ebpfLoaded(), steering.reason());
            poolA.start();
            AtomicLong sent = new AtomicLong();
            AtomicReference<WorkerPool> poolB = new AtomicReference<>();
            AtomicReference<Throwable> senderFailure = new AtomicReference<>();
            long duration = Duration.ofMillis(1200).toNanos();
            Thread sender = Thread.ofPlatform().name("swap-sender").start(() -> {
                try (UdpSender s = new UdpSender(a.localAddress(), 12)) {
                    long end = System.nanoTime() + duration;
                    while (System.nanoTime() < end) {
                        // Pace against what both groups received, so no receive buffer overflows.
                        WorkerPool b = poolB.get();
                        long received = poolA.packets() + (b == null ? 0 : b.packets());
                        if (sent.get() - received < 2_000) {
                            if (s.send()) sent.incrementAndGet();
                        } else {
                            Thread.onSpinWait();
                        }
                    }
                } catch (Throwable t) {
                    senderFailure.set(t);
                }
            });
            Thread.sleep(300);
            long beforeSwap = sent.get();

            ReuseportSocketGroup b = ReuseportSocketGroup.open(a.localAddress(), SOCKETS, 4 << 20);
            WorkerPool pb = new WorkerPool("swap-b", b, i -> d -> {}, ReceiveOptions.DEFAULT);
            pb.start();
            poolB.set(pb);
            steering.swap(b);
            long atSwap = sent.get();
            poolA.close(); // stop, drain each socket until EAGAIN, then close A's sockets
            long aReceived = poolA.packets();

            sender.join();
            assertEquals(null, senderFailure.get());
            long total = sent.get();
            long bReceived = UdpSender.awaitReceived(() -> pb.packets(), total - aReceived, Duration.ofSeconds(5));
            pb.close();
            b.close();
            System.out.println("swap: sent before swap " + beforeSwap + ", at swap " + atSwap + ", total " + total
                    + "; A received " + aReceived + " " + poolA.stats().stream().map(s -> s.packets()).toList()
                    + ", B received " + bReceived + " " + pb.stats().stream().map(s -> s.packets()).toList());
            assertTrue(beforeSwap > 0 && aReceived > 0, "A should have received before the swap");
            assertTrue(bReceived > 0, "B should receive after the swap");
            assertEquals(total, aReceived + bReceived, "received by A + B == sent");
        } finally {
            poolA.close();
        }
    }
}

package io.sluice.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.Steering;
import io.sluice.steering.SteeringMode;
import io.sluice.testing.PinRoot;
import io.sluice.testing.UdpSender;
import io.sluice.worker.ReceiveOptions;
import io.sluice.worker.WorkerPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * handover.ramp on real sockets, real BPF and a real bpffs, in one JVM: A's program steers by its pinned
 * socket map, B (its sockets bound on A's address, no program of its own yet) puts its sockets into
 * A's slots one by one. Half-way, A and B share the datagrams; after the ramp every datagram is B's,
 * with A's program still the one attached.
 */
class TrafficRampTest {
    @PinRoot
    Path pinRoot;

    @Test
    void thePredecessorsSlotsMoveOneByOneToTheSuccessorsSockets() throws Exception {
        HandoverSettings settings = HandoverSettings.DEFAULTS.withPinRoot(pinRoot);
        ReuseportSocketGroup a = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2, 4 << 20);
        Steering steeringA = Steering.attachOrFallback("ramp", a, SteeringMode.RANDOM, BpfObjectSource.bundled());
        assertTrue(steeringA.ebpfLoaded(), steeringA.reason());
        WorkerPool poolA = new WorkerPool("old", a, i -> d -> {}, ReceiveOptions.DEFAULT);
        poolA.start();
        Handover handoverA = Handover.takeOver(settings, "ramp", a, steeringA);
        ReuseportSocketGroup b = ReuseportSocketGroup.open(a.localAddress(), 3, 4 << 20);
        WorkerPool poolB = new WorkerPool("new", b, i -> d -> {}, ReceiveOptions.DEFAULT);
        poolB.start();
        try (UdpSender sender = new UdpSender(a.localAddress(), 64)) {
            sendAll(sender, 1_000, poolA, poolB);
            assertEquals(0, poolB.packets(), "before the ramp: A's program, A's map, A's sockets");

            // 2 of A's slots over 3 s: slot 0 now, slot 1 after 1.5 s
            CompletableFuture<TrafficRamp.Result> ramp = CompletableFuture.supplyAsync(
                    () -> TrafficRamp.run(settings, "ramp", b, Duration.ofSeconds(3)));
            Thread.sleep(500);
            long a0 = poolA.packets(), b0 = poolB.packets();
            sendAll(sender, 2_000, poolA, poolB);
            long aHalf = poolA.packets() - a0, bHalf = poolB.packets() - b0;
            System.out.printf("half-way: A %d, B %d of 2000%n", aHalf, bHalf);
            assertTrue(aHalf > 600 && bHalf > 600, "one slot of two moved: about half each, A " + aHalf + ", B " + bHalf);

            TrafficRamp.Result r = ramp.get();
            assertEquals(2, r.slots(), "every slot of A's map");
            assertTrue(r.took().toMillis() >= 1_400, "a pause between the slots: " + r.took());
            long a1 = poolA.packets(), b1 = poolB.packets();
            sendAll(sender, 2_000, poolA, poolB);
            assertEquals(a1, poolA.packets(), "after the ramp A receives nothing, its own program still attached");
            assertEquals(b1 + 2_000, poolB.packets());
        } finally {
            poolB.close();
            poolA.close();
            steeringA.close();
            handoverA.close();
        }
    }

    /** Sends n datagrams, at most 200 unreceived at a time, and waits until A and B received them all. */
    private static void sendAll(UdpSender sender, int n, WorkerPool a, WorkerPool b) throws Exception {
        long base = a.packets() + b.packets();
        sender.sendPaced(n, () -> a.packets() + b.packets() - base, 200, Duration.ofSeconds(10));
        assertEquals(base + n, UdpSender.awaitReceived(() -> a.packets() + b.packets(), base + n, Duration.ofSeconds(5)),
                "every datagram received by A or B");
    }

    @Test
    void aPredecessorOnTheHashIsNotRamped() throws Exception {
        HandoverSettings settings = HandoverSettings.DEFAULTS.withPinRoot(pinRoot);
        ReuseportSocketGroup a = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2, 4 << 20);
        Steering steeringA = Steering.attachOrFallback("ramp-hash", a, SteeringMode.HASH, BpfObjectSource.bundled());
        Handover handoverA = Handover.takeOver(settings, "ramp-hash", a, steeringA);
        ReuseportSocketGroup b = ReuseportSocketGroup.open(a.localAddress(), 2, 4 << 20);
        try {
            assertEquals(TrafficRamp.Result.NONE, TrafficRamp.run(settings, "ramp-hash", b, Duration.ofSeconds(1)));
        } finally {
            b.close();
            a.close();
            steeringA.close();
            handoverA.close();
        }
    }
}

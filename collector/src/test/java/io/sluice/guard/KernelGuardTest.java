package io.sluice.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.socket.SocketDrops;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.GuardMaps.DropReason;
import io.sluice.steering.GuardRules;
import io.sluice.steering.Steering;
import io.sluice.steering.SteeringMode;
import io.sluice.testing.BpfRequirement;
import io.sluice.testing.UdpSender;
import io.sluice.worker.ReceiveOptions;
import io.sluice.worker.WorkerPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The guard in the real kernel: a dual-stack listener on [::] (IPv4 senders arrive v4-mapped), the real
 * sk_reuseport program and maps, senders bound to 127.0.0.2 (allowed), 127.0.0.3 and ::1 (not).
 */
class KernelGuardTest {
    static final int SOCKETS = 2;
    static final GuardRules ONLY_2 = new GuardRules(Set.of(GuardRules.Prefix.parse("127.0.0.2/32")), null);

    /** Interleaved at a known rate: workers get exactly the allowed ones, the counter exactly the others. */
    @ParameterizedTest
    @EnumSource(SteeringMode.class)
    void theWorkersGetExactlyTheAllowedAndTheCounterExactlyTheRefused(SteeringMode mode) throws Exception {
        BpfRequirement.assumeBpf();
        int rounds = 3_000;
        long rate = 6_000; // rounds/s: 18,000 datagrams/s, far below what two workers read on loopback
        Sources.Counter counter = new Sources.Counter();
        ReuseportSocketGroup group = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getByName("::"), 0), SOCKETS, 4 << 20);
        try (WorkerPool pool = new WorkerPool("guard", group, i -> counter.handler(), ReceiveOptions.DEFAULT);
                Steering steering = Steering.attachOrFallback("guard", group, mode, BpfObjectSource.bundled(), ONLY_2);
                Sources.Sender allowed = new Sources.Sender("127.0.0.2", group.localAddress());
                Sources.Sender refused4 = new Sources.Sender("127.0.0.3", group.localAddress());
                Sources.Sender refused6 = new Sources.Sender("::1", group.localAddress())) {
            assertTrue(steering.programAttached(), steering.reason());
            assertEquals(mode != SteeringMode.HASH, steering.ebpfLoaded(), "hash: a filter, the kernel steers");
            assertEquals(mode, steering.effectiveMode());
            ListenerGuard guard = new ListenerGuard("guard", steering, ONLY_2, null, () -> 0);
            SocketDrops drops = SocketDrops.of(group);
            pool.start();
            LongSupplier seen = () -> counter.total.sum() + guard.dropped(DropReason.NOT_ALLOWED);
            long t0 = System.nanoTime();
            for (int r = 0; r < rounds; r++) {
                while ((System.nanoTime() - t0) * rate / 1_000_000_000L < r) LockSupport.parkNanos(50_000);
                allowed.send();
                refused4.send();
                refused6.send();
            }
            long sent = allowed.sent + refused4.sent + refused6.sent;
            assertEquals(3L * rounds, sent);
            UdpSender.awaitReceived(seen, sent, Duration.ofSeconds(10));
            Thread.sleep(100); // nothing more may arrive
            System.out.printf("guard %s: sent %d (%d allowed), workers got %d, kernel refused %d, socket drops %d%n", mode, sent,
                    allowed.sent, counter.total.sum(), guard.dropped(DropReason.NOT_ALLOWED), drops.total());
            assertEquals(rounds, counter.total.sum(), "the workers got exactly the allowed datagrams");
            assertEquals(rounds, counter.from(allowed.source));
            assertEquals(2L * rounds, guard.dropped(DropReason.NOT_ALLOWED), "the counter holds exactly the refused ones");
            assertEquals(0, guard.dropped(DropReason.RATE_LIMITED));
            assertEquals(0, guard.dropped(DropReason.UNREADABLE_HEADER));
            assertEquals(0, drops.total());
            long[] perSocket = pool.stats().stream().mapToLong(st -> st.packets()).toArray();
            if (mode == SteeringMode.HASH) {
                // passed without a selection: the kernel's 4-tuple hash chose, one source -> one socket
                assertTrue(java.util.Arrays.stream(perSocket).anyMatch(n -> n == rounds), java.util.Arrays.toString(perSocket));
            } else {
                assertTrue(java.util.Arrays.stream(perSocket).allMatch(n -> n > 0), "the program spreads: " + java.util.Arrays.toString(perSocket));
            }
            List<ListenerGuard.Offender> top = guard.topOffenders();
            assertTrue(top.contains(new ListenerGuard.Offender(refused4.source, "not_allowed", rounds, 0)), top.toString());
            assertTrue(top.contains(new ListenerGuard.Offender(refused6.source, "not_allowed", rounds, 0)), top.toString());
        }
    }

    /**
     * The socket buffers never see a refused datagram: with the workers not reading, a flood of refused
     * traffic overflows small buffers without the guard (socket drops) and leaves them empty with it.
     */
    @Test
    void aRefusedFloodNeverReachesTheSocketBuffers() throws Exception {
        BpfRequirement.assumeBpf();
        int flood = 20_000;
        long withoutGuard = floodSocketDrops(GuardRules.NONE, flood, null);
        long[] kernelRefused = new long[1];
        long noPortsBefore = udpNoPorts();
        long withGuard = floodSocketDrops(ONLY_2, flood, kernelRefused);
        long noPorts = udpNoPorts() - noPortsBefore;
        System.out.printf("flood of %d refused datagrams into 64 KiB buffers nobody reads: socket drops %d without the guard, "
                + "%d with it (kernel refused %d)%n", flood, withoutGuard, withGuard, kernelRefused[0]);
        assertTrue(withoutGuard > flood / 2, "without the guard the buffers overflow: " + withoutGuard);
        assertEquals(0, withGuard, "with the guard nothing reaches the buffers");
        assertEquals(flood, kernelRefused[0]);
        // SK_DROP means "no socket for this datagram": the kernel counts it as Udp NoPorts (other traffic may add more)
        assertTrue(noPorts >= flood, "Udp NoPorts grew by " + noPorts);
    }

    /** A refused source is told the port is unreachable (ICMP), as for a closed port: a connected socket sees it. */
    @Test
    void aRefusedSourceGetsPortUnreachable() throws Exception {
        BpfRequirement.assumeBpf();
        ReuseportSocketGroup group = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1, 0);
        try (Steering steering = Steering.attachOrFallback("icmp", group, SteeringMode.RANDOM, BpfObjectSource.bundled(), ONLY_2);
                java.nio.channels.DatagramChannel c = java.nio.channels.DatagramChannel.open()) {
            c.bind(new InetSocketAddress("127.0.0.3", 0)).connect(group.localAddress());
            c.write(java.nio.ByteBuffer.allocate(8));
            Thread.sleep(50);
            org.junit.jupiter.api.Assertions.assertThrows(java.net.PortUnreachableException.class, () -> c.write(java.nio.ByteBuffer.allocate(8)));
        } finally {
            group.close();
        }
    }

    private static java.util.Set<GuardRules.Prefix> hosts(int count, int lastByte) throws Exception {
        java.util.Set<GuardRules.Prefix> out = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            out.add(new GuardRules.Prefix(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 8), (byte) i, (byte) lastByte}), 32));
        }
        return out;
    }

    /**
     * A full list (4096, the configurable most) replaced by another full one in place: both fit in the trie
     * at once (it holds twice that). One that would not fit is refused by the kernel, and what it had added
     * is taken out again: the old list stays in force, no wider.
     */
    @Test
    void fullListsReloadInPlaceAndOneBeyondTheTrieLeavesTheOldInForce() throws Exception {
        BpfRequirement.assumeBpf();
        GuardRules full = new GuardRules(hosts(GuardRules.MAX_PREFIXES, 1), null);
        java.util.Set<GuardRules.Prefix> next = hosts(GuardRules.MAX_PREFIXES - 1, 2);
        next.add(GuardRules.Prefix.parse("127.0.0.2"));
        GuardRules fullWith2 = new GuardRules(next, null);
        Sources.Counter counter = new Sources.Counter();
        ReuseportSocketGroup group = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 1, 1 << 20);
        try (WorkerPool pool = new WorkerPool("full", group, i -> counter.handler(), ReceiveOptions.DEFAULT);
                Steering steering = Steering.attachOrFallback("full", group, SteeringMode.RANDOM, BpfObjectSource.bundled(), full);
                Sources.Sender two = new Sources.Sender("127.0.0.2", group.localAddress())) {
            pool.start();
            ListenerGuard guard = new ListenerGuard("full", steering, full, null, () -> 0);
            for (int i = 0; i < 100; i++) two.send();
            assertEquals(100, UdpSender.awaitReceived(() -> guard.dropped(DropReason.NOT_ALLOWED), 100, Duration.ofSeconds(5)));

            steering.updateGuard(fullWith2);
            for (int i = 0; i < 100; i++) two.send();
            assertEquals(100, UdpSender.awaitReceived(counter.total::sum, 100, Duration.ofSeconds(5)), "the new full list is in force");

            GuardRules overfull = new GuardRules(hosts(2 * GuardRules.MAX_PREFIXES, 3), null);
            io.sluice.steering.BpfLoadException e = org.junit.jupiter.api.Assertions.assertThrows(
                    io.sluice.steering.BpfLoadException.class, () -> steering.updateGuard(overfull));
            System.out.println(e.getMessage());
            assertTrue(e.getMessage().contains("ENOSPC"), e.getMessage());
            assertEquals(fullWith2, steering.guardRules());
            for (int i = 0; i < 100; i++) two.send();
            assertEquals(200, UdpSender.awaitReceived(counter.total::sum, 200, Duration.ofSeconds(5)), "still the list before");
            steering.updateGuard(ONLY_2); // and the trie is as it was: a reload fits again
            assertEquals(ONLY_2, steering.guardRules());
        } finally {
            group.close();
        }
    }

    private static long udpNoPorts() throws java.io.IOException {
        List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/net/snmp")).stream()
                .filter(l -> l.startsWith("Udp:")).toList();
        List<String> names = List.of(lines.get(0).split("\\s+"));
        return Long.parseLong(lines.get(1).split("\\s+")[names.indexOf("NoPorts")]);
    }

    private static long floodSocketDrops(GuardRules rules, int flood, long[] refused) throws Exception {
        ReuseportSocketGroup group = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), SOCKETS, 64 << 10);
        try (Steering steering = Steering.attachOrFallback("flood", group, SteeringMode.RANDOM, BpfObjectSource.bundled(), rules);
                Sources.Sender spoofed = new Sources.Sender("127.0.0.3", group.localAddress())) {
            assertTrue(steering.ebpfLoaded(), steering.reason());
            ListenerGuard guard = new ListenerGuard("flood", steering, rules, null, () -> 0);
            for (int i = 0; i < flood; i++) spoofed.send();
            assertEquals(flood, spoofed.sent);
            Thread.sleep(100);
            if (refused != null) refused[0] = guard.dropped(DropReason.NOT_ALLOWED);
            return SocketDrops.of(group).total();
        } finally {
            group.close();
        }
    }

    /** One exporter at 5x its limit gets its limit ± the burst; another at its normal rate loses nothing. */
    @Test
    void aSourceAtFiveTimesItsLimitGetsItsLimitAndAnotherLosesNothing() throws Exception {
        BpfRequirement.assumeBpf();
        long limit = 1_000;
        long burst = 100;
        GuardRules rules = new GuardRules(null, new GuardRules.RateLimit(limit, burst));
        Sources.Counter counter = new Sources.Counter();
        ReuseportSocketGroup group = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), SOCKETS, 4 << 20);
        try (WorkerPool pool = new WorkerPool("rate", group, i -> counter.handler(), ReceiveOptions.DEFAULT);
                Steering steering = Steering.attachOrFallback("rate", group, SteeringMode.ROUND_ROBIN, BpfObjectSource.bundled(), rules);
                Sources.Sender loud = new Sources.Sender("127.0.0.2", group.localAddress());
                Sources.Sender normal = new Sources.Sender("127.0.0.4", group.localAddress())) {
            assertTrue(steering.ebpfLoaded(), steering.reason());
            ListenerGuard guard = new ListenerGuard("rate", steering, rules, null, () -> 0);
            pool.start();
            long seconds = 3;
            long loudRate = 5 * limit;
            long normalInterval = 1_000_000_000L / (limit / 2);
            long[] loudTimes = new long[(int) (loudRate * seconds) + 1];
            long t0 = System.nanoTime();
            long end = t0 + seconds * 1_000_000_000L;
            long nextNormal = t0;
            long now;
            while ((now = System.nanoTime()) < end) {
                while (loud.sent < (now - t0) * loudRate / 1_000_000_000L && loud.sent < loudTimes.length) {
                    loudTimes[(int) loud.sent] = System.nanoTime();
                    loud.send();
                }
                // the normal exporter never bursts, even after this thread was descheduled: half its limit at most
                if (now >= nextNormal) {
                    normal.send();
                    nextNormal = now + normalInterval;
                }
                LockSupport.parkNanos(100_000);
            }
            double duration = (System.nanoTime() - t0) / 1e9;
            long total = loud.sent + normal.sent;
            UdpSender.awaitReceived(() -> counter.total.sum() + guard.dropped(DropReason.RATE_LIMITED), total, Duration.ofSeconds(10));
            long loudGot = counter.from(loud.source);
            // What the limit lets through of what was really sent when (a loaded machine stalls the sender, and a
            // stalled second is a second the source did not use): the same GCRA over the send times.
            long simulated = 0;
            long tat = 0;
            GuardRules.RateLimit r = rules.rateLimit();
            for (int i = 0; i < loud.sent; i++) {
                long at = Math.max(tat, loudTimes[i]);
                if (at - loudTimes[i] <= r.toleranceNanos()) {
                    simulated++;
                    tat = at + r.intervalNanos();
                }
            }
            long expected = simulated;
            System.out.printf("rate limit %d/s burst %d over %.3f s: loud sent %d got %d (limit x time + burst = %d; the same "
                    + "limit over the real send times: %d ± %d), normal sent %d got %d, kernel rate_limited %d%n", limit, burst,
                    duration, loud.sent, loudGot, Math.round(limit * duration) + burst, expected, burst, normal.sent,
                    counter.from(normal.source), guard.dropped(DropReason.RATE_LIMITED));
            assertEquals(normal.sent, counter.from(normal.source), "the exporter at its normal rate loses nothing");
            assertTrue(Math.abs(loudGot - expected) <= burst, "loud got " + loudGot + ", expected " + expected + " ± " + burst);
            assertEquals(loud.sent - loudGot, guard.dropped(DropReason.RATE_LIMITED), "every refused one is counted");
            ListenerGuard.Offender top = guard.topOffenders().getFirst();
            assertEquals(loud.source, top.source());
            assertEquals("rate_limited", top.reason());
            assertEquals(loud.sent - loudGot, top.dropped());
            assertEquals(loudGot, top.passed());
        }
    }

    /**
     * Lists changed under traffic (five reloads in place): the source allowed throughout loses nothing, and
     * what another source sent is either received or counted.
     */
    @Test
    void reloadingTheListsUnderTrafficLosesNoAllowedDatagram() throws Exception {
        BpfRequirement.assumeBpf();
        List<GuardRules> phases = List.of(
                new GuardRules(Set.of(GuardRules.Prefix.parse("127.0.0.2/32"), GuardRules.Prefix.parse("127.0.0.3/32")), null),
                new GuardRules(Set.of(GuardRules.Prefix.parse("127.0.0.0/24")), null),
                ONLY_2,
                new GuardRules(null, null),
                new GuardRules(Set.of(GuardRules.Prefix.parse("127.0.0.2/31"), GuardRules.Prefix.parse("::1/128")), new GuardRules.RateLimit(1_000_000, 1000)),
                ONLY_2);
        Sources.Counter counter = new Sources.Counter();
        ReuseportSocketGroup group = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), SOCKETS, 4 << 20);
        try (WorkerPool pool = new WorkerPool("reload", group, i -> counter.handler(), ReceiveOptions.DEFAULT);
                Steering steering = Steering.attachOrFallback("reload", group, SteeringMode.RANDOM, BpfObjectSource.bundled(), phases.getFirst());
                Sources.Sender kept = new Sources.Sender("127.0.0.2", group.localAddress());
                Sources.Sender other = new Sources.Sender("127.0.0.3", group.localAddress())) {
            ListenerGuard guard = new ListenerGuard("reload", steering, phases.getFirst(), null, () -> 0);
            pool.start();
            long rate = 10_000; // per sender
            long t0 = System.nanoTime();
            long phaseNanos = 300_000_000L;
            int phase = 0;
            long now;
            while ((now = System.nanoTime()) - t0 < phases.size() * phaseNanos) {
                int due = (int) ((now - t0) / phaseNanos);
                if (due > phase && due < phases.size()) {
                    phase = due;
                    guard.reload(phases.get(phase));
                }
                long target = (now - t0) * rate / 1_000_000_000L;
                while (kept.sent < target) {
                    kept.send();
                    other.send();
                }
                LockSupport.parkNanos(100_000);
            }
            long total = kept.sent + other.sent;
            UdpSender.awaitReceived(() -> counter.total.sum() + guard.dropped(DropReason.NOT_ALLOWED), total, Duration.ofSeconds(10));
            System.out.printf("reload under traffic (%d reloads): kept sent %d got %d; other sent %d got %d, refused %d%n",
                    phases.size() - 1, kept.sent, counter.from(kept.source), other.sent, counter.from(other.source),
                    guard.dropped(DropReason.NOT_ALLOWED));
            assertEquals(phases.size() - 1, phase);
            assertEquals(kept.sent, counter.from(kept.source), "zero loss of the source allowed throughout");
            assertEquals(other.sent, counter.from(other.source) + guard.dropped(DropReason.NOT_ALLOWED));
            assertTrue(counter.from(other.source) > 0 && guard.dropped(DropReason.NOT_ALLOWED) > 0, "the other source was both allowed and refused");
            assertEquals(ONLY_2, steering.guardRules());
        }
    }
}

package io.sluice.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.SocketMap;
import io.sluice.steering.Steering;
import io.sluice.steering.SteeringMode;
import io.sluice.testing.PinRoot;
import io.sluice.testing.ChildProcess;
import io.sluice.testing.UdpSender;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The handover between real processes ({@link HandoverChild} JVMs running the production classes):
 * the successor finds the owner through the pins and stops it with SIGTERM; SIGTERM alone drains
 * what is queued; a crashed owner's pins are replaced; a recycled pid or a stranger is never signalled.
 */
class HandoverProcessTest {
    private static final Duration START = Duration.ofSeconds(30);
    @PinRoot
    Path pinRoot;

    private ChildProcess child(int port, int sockets, String steering) throws IOException {
        return child(Integer.toString(port), sockets, steering);
    }

    private ChildProcess child(String ports, int sockets, String steering) throws IOException {
        return ChildProcess.java(HandoverChild.class, ports, Integer.toString(sockets), steering,
                pinRoot.toString(), "proc-test");
    }

    /**
     * One source per listener sends at a steady rate while a second process starts on the same two
     * ports: it takes both over, then stops the first (once, for both), which drains and exits 0;
     * first + second received == sent.
     */
    @Test
    void aSecondProcessTakesOverAndTheFirstDrainsAndExits() throws Exception {
        try (ChildProcess first = child("0,0", 2, "random")) {
            String ready = first.awaitLine("READY", START);
            String ports = ChildProcess.field(ready, "ports");
            InetSocketAddress[] targets = java.util.Arrays.stream(ports.split(","))
                    .map(p -> new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(p)))
                    .toArray(InetSocketAddress[]::new);
            long rate = 20_000; // datagrams/s over both listeners: far below what one process sustains, so no drops
            AtomicLong sent = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread sender = Thread.ofPlatform().name("steady-sender").start(() -> {
                try (UdpSender s0 = new UdpSender(targets[0], 64); UdpSender s1 = new UdpSender(targets[1], 64)) {
                    long t0 = System.nanoTime();
                    while (!stop.get()) {
                        long due = (System.nanoTime() - t0) * rate / 1_000_000_000L;
                        while (sent.get() < due) {
                            if ((sent.get() & 1) == 0 ? s0.send() : s1.send()) sent.incrementAndGet();
                        }
                        LockSupport.parkNanos(200_000);
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            try (ChildProcess second = child(ports, 3, "random")) {
                long t0 = System.nanoTime();
                String secondReady = second.awaitLine("READY", START);
                assertEquals("1", ChildProcess.field(secondReady, "predecessors"), "one process, stopped once: " + second.output());
                String firstDrained = first.awaitLine("DRAINED", Duration.ofSeconds(20));
                assertEquals(0, first.awaitExit(Duration.ofSeconds(10)), first.output());
                long handoverMs = (System.nanoTime() - t0) / 1_000_000;
                Thread.sleep(500);
                stop.set(true);
                sender.join();
                assertEquals(null, failure.get());
                Thread.sleep(200); // the last datagrams reach the sockets
                second.signal("TERM");
                String secondDrained = second.awaitLine("DRAINED", Duration.ofSeconds(20));
                assertEquals(0, second.awaitExit(Duration.ofSeconds(10)), second.output());
                long a = Long.parseLong(ChildProcess.field(firstDrained, "packets"));
                long b = Long.parseLong(ChildProcess.field(secondDrained, "packets"));
                System.out.printf("process handover at %d datagrams/s over 2 listeners: sent %d, first received %d (drained %s "
                        + "in %s ms after SIGTERM), second received %d; second started to first exited: %d ms%n", rate,
                        sent.get(), a, ChildProcess.field(firstDrained, "drained"), ChildProcess.field(firstDrained, "ms"), b,
                        handoverMs);
                assertTrue(a > 0 && b > 0, "both received: " + a + ", " + b);
                assertEquals(sent.get(), a + b, "first + second == sent");
                assertTrue(second.output().contains("listeners proc-test-0, proc-test-1: took over from pid " + first.pid()),
                        second.output());
                assertTrue(first.output().contains("steers the reuseport group with its program"), first.output());
                assertTrue(first.output().contains("belong to pid " + second.pid()), first.output());
                assertTrue(second.output().contains("removed its pins"), second.output());
            } finally {
                stop.set(true);
                sender.join();
            }
        }
    }

    /**
     * SIGTERM with no successor: what the sockets hold at the signal is delivered. The process is
     * frozen (SIGSTOP) so that a whole burst is queued in its sockets, then SIGTERM and SIGCONT.
     */
    @Test
    void sigtermAloneDrainsWhatTheSocketsHold() throws Exception {
        try (ChildProcess only = child(0, 4, "random")) {
            String ready = only.awaitLine("READY", START);
            int port = Integer.parseInt(ChildProcess.field(ready, "ports"));
            only.signal("STOP");
            int burst = 4_000;
            try (UdpSender s = new UdpSender(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64)) {
                for (int i = 0; i < burst; i++) {
                    assertTrue(s.send());
                }
            }
            long queued = UdpTables.queuedDatagramsBytes(port);
            assertEquals(0, UdpTables.drops(port), "the burst fits the socket buffers");
            only.signal("TERM");
            only.signal("CONT");
            String drained = only.awaitLine("DRAINED", Duration.ofSeconds(20));
            assertEquals(0, only.awaitExit(Duration.ofSeconds(10)), only.output());
            System.out.println("SIGTERM alone: " + drained + " (" + queued + " bytes queued at the signal)");
            assertTrue(queued > 0, "the burst was queued, not yet read, at the signal");
            assertEquals(burst, Long.parseLong(ChildProcess.field(drained, "packets")), only.output());
            assertTrue(only.output().contains("sockets taken out of the reuseport group's selection"), only.output());
        }
    }

    /** kill -9 leaves the pins; the next start replaces them, says so, and the pins are then its own. */
    @Test
    void aCrashedOwnersPinsAreReplacedByTheNextStart() throws Exception {
        long crashedPid;
        int port;
        PinDirectory dir = PinDirectory.of(pinRoot, "proc-test");
        try (ChildProcess crashing = child(0, 2, "random")) {
            String ready = crashing.awaitLine("READY", START);
            port = Integer.parseInt(ChildProcess.field(ready, "ports"));
            crashedPid = crashing.pid();
            crashing.signal("KILL");
            crashing.awaitExit(Duration.ofSeconds(10));
        }
        assertTrue(Files.exists(dir.socketMap()) && Files.exists(dir.owner()), "kill -9 leaves the pins");
        assertEquals(crashedPid, OwnerRecord.read(dir.owner()).orElseThrow().pid());
        ReuseportSocketGroup group = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2, 0);
        try (Steering steering = Steering.attachOrFallback("proc-test", group, SteeringMode.RANDOM, BpfObjectSource.bundled());
                Handover handover = Handover.takeOver(HandoverSettings.DEFAULTS.withPinRoot(pinRoot), "proc-test", group, steering)) {
            assertEquals(crashedPid, handover.replacedStale().orElseThrow().pid(), "the stale owner was recognised");
            assertTrue(handover.predecessors().isEmpty(), "a dead owner is not signalled");
            assertEquals(handover.ownRecord().orElseThrow(), OwnerRecord.read(dir.owner()).orElseThrow());
            try (SocketMap pinned = SocketMap.openPinned(dir.socketMap())) {
                assertEquals(steering.bpf().orElseThrow().socketMap().cookie(0), pinned.cookie(0), "the pinned map is the new one");
            }
        } finally {
            group.close();
        }
        assertFalse(Files.exists(dir.owner()), "released on close");
    }

    /** A pid is only signalled with its start time, and only if it runs sluice. */
    @Test
    void neitherARecycledPidNorAStrangerIsSignalled() throws Exception {
        try (ChildProcess stranger = ChildProcess.start(java.util.List.of("sleep", "60"))) {
            long pid = stranger.pid();
            long ticks = ProcessInfo.startTicks(pid).orElseThrow();
            assertEquals(ProcessInfo.StopResult.GONE, ProcessInfo.terminate(pid, ticks - 1), "another start time: another process");
            assertEquals(ProcessInfo.StopResult.NOT_SLUICE, ProcessInfo.terminate(pid, ticks));
            Thread.sleep(100);
            assertTrue(stranger.process().isAlive(), "sleep was left alone");
        }
        assertEquals(ProcessInfo.StopResult.SELF, ProcessInfo.terminate(ProcessInfo.selfPid(), ProcessInfo.selfStartTicks()));
    }
}

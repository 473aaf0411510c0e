package io.sluice.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.SocketMap;
import io.sluice.steering.Steering;
import io.sluice.steering.SteeringMode;
import io.sluice.testing.PinRoot;
import io.sluice.testing.UdpSender;
import io.sluice.worker.ReceiveOptions;
import io.sluice.worker.WorkerPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The handover layer in one JVM, on real sockets, real BPF and a real bpffs: two socket groups stand
 * for the old and the new process (the cross-process signalling is {@link HandoverProcessTest}).
 */
class HandoverTest {
    @PinRoot // mounts /sys/fs/bpf for real when missing
    Path pinRoot;

    HandoverSettings settings() {
        return HandoverSettings.DEFAULTS.withPinRoot(pinRoot);
    }

    @Test
    void bpffsIsMountedWhereItIsMissing() throws Exception {
        Path dir = Files.createTempDirectory("sluice-bpffs-");
        Path root = dir.resolve("pins");
        try {
            assertFalse(BpfFs.isBpfFs(root), "a fresh temp directory is not a bpffs");
            assertEquals(root, BpfFs.ensureMounted(root), "mounted at the pin root (it is not under /sys/fs/bpf)");
            assertTrue(BpfFs.isBpfFs(root));
            assertTrue(Files.readString(Path.of("/proc/self/mounts")).contains(" " + root + " bpf "), "listed in /proc/mounts");
            assertNull(BpfFs.ensureMounted(root), "already mounted: nothing done");
            // and it holds pins
            OwnerRecord.ofThisProcess(SteeringMode.HASH, 1).pin(BpfObjectSource.bundled(), root.resolve("owner"));
            assertTrue(OwnerRecord.read(root.resolve("owner")).orElseThrow().isThisProcess());
        } finally {
            if (BpfFs.isBpfFs(root) && !BpfFs.isBpfFs(dir)) BpfFs.unmount(root);
            Files.deleteIfExists(root);
            Files.deleteIfExists(dir);
        }
        assertTrue(BpfFs.isBpfFs(BpfFs.STANDARD_MOUNT), "/sys/fs/bpf is a bpffs (mounted by the setup when it was not)");
    }

    @Test
    void listenerNamesBecomeDirectoriesBpffsAccepts() {
        assertEquals("0_0_0_0:2055", PinDirectory.nameFor("0.0.0.0:2055"));
        assertEquals("_::1_:6343", PinDirectory.nameFor("[::1]:6343"));
        PinDirectory dir = PinDirectory.of(pinRoot, "0.0.0.0:2055");
        try (PinDirectory.Lock lock = dir.lock(Duration.ofSeconds(1))) {
            assertTrue(Files.isDirectory(dir.path()));
        }
    }

    @Test
    void theDirectoryLockExcludesASecondHolder() {
        PinDirectory dir = PinDirectory.of(pinRoot, "locked");
        try (PinDirectory.Lock first = dir.lock(Duration.ofSeconds(1))) {
            long t0 = System.nanoTime();
            HandoverException e = org.junit.jupiter.api.Assertions.assertThrows(HandoverException.class,
                    () -> dir.lock(Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("stayed locked"), e.getMessage());
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(200));
        }
        try (PinDirectory.Lock again = dir.lock(Duration.ofSeconds(1))) {
            // released by close
        }
    }

    @Test
    void aWaiterWhoseDirectoryWasRemovedLocksTheNewOne() throws Exception {
        PinDirectory dir = PinDirectory.of(pinRoot, "removed");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicBoolean existedWhileLocked = new AtomicBoolean();
        Thread waiter;
        try (PinDirectory.Lock holder = dir.lock(Duration.ofSeconds(1))) {
            waiter = Thread.ofPlatform().start(() -> {
                try (PinDirectory.Lock mine = dir.lock(Duration.ofSeconds(5))) {
                    existedWhileLocked.set(Files.isDirectory(dir.path()) && mine.stillAt(dir.path()));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Thread.sleep(100); // the waiter has opened the directory and waits for the flock
            dir.removeIfEmpty(); // what an exiting owner does, lock held
            assertFalse(Files.exists(dir.path()));
        }
        waiter.join();
        assertNull(failure.get());
        assertTrue(existedWhileLocked.get(), "the waiter locked a directory that exists");
    }

    @Test
    void theOwnerRecordReadsBackAndBpftoolNamesItsFields() throws Exception {
        Path pin = pinRoot.resolve("owner");
        Files.createDirectories(pinRoot);
        OwnerRecord mine = OwnerRecord.ofThisProcess(SteeringMode.ROUND_ROBIN, 7);
        mine.pin(BpfObjectSource.bundled(), pin);
        OwnerRecord read = OwnerRecord.read(pin).orElseThrow();
        assertEquals(mine, read);
        assertTrue(read.isThisProcess() && read.ownerAlive());
        assertTrue(OwnerRecord.read(pinRoot.resolve("nothing")).isEmpty());
        Path bpftool = Path.of("/usr/sbin/bpftool");
        if (Files.isExecutable(bpftool)) {
            Process p = new ProcessBuilder(bpftool.toString(), "map", "dump", "pinned", pin.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            assertTrue(out.contains("\"pid\": " + ProcessHandle.current().pid()) || out.contains("\"pid\":" + ProcessHandle.current().pid()), out);
            assertTrue(out.contains("\"sockets\": 7") || out.contains("\"sockets\":7"), out);
        }
    }

    /**
     * Zero loss from one steady source while B takes the address over from A, for every pairing of
     * steering: program → program (B's program replaces A's), hash → program, program → hash (B
     * detaches A's program), hash → hash (A leaves the hash by connecting its sockets). A and B
     * differ in size: num_sockets is fixed at load, so each process loads its own program.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"random,random", "hash,round-robin", "round-robin,hash", "hash,hash"})
    void theSuccessorTakesOverWithoutLoss(String oldMode, String newMode) throws Exception {
        ReuseportSocketGroup a = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2, 4 << 20);
        Steering steeringA = Steering.attachOrFallback("handover", a, SteeringMode.parse(oldMode), BpfObjectSource.bundled());
        assertEquals(SteeringMode.parse(oldMode), steeringA.effectiveMode(), steeringA.reason());
        WorkerPool poolA = new WorkerPool("old", a, i -> d -> {}, ReceiveOptions.DEFAULT);
        poolA.start();
        Handover handoverA = Handover.takeOver(settings(), "handover", a, steeringA);
        assertTrue(handoverA.ownRecord().isPresent(), "A pinned its owner record");
        assertEquals(steeringA.ebpfLoaded(), Files.exists(PinDirectory.of(pinRoot, "handover").socketMap()));

        AtomicLong sent = new AtomicLong();
        AtomicReference<WorkerPool> poolB = new AtomicReference<>();
        AtomicBoolean stopSending = new AtomicBoolean();
        AtomicReference<Throwable> senderFailure = new AtomicReference<>();
        Thread sender = Thread.ofPlatform().name("handover-sender").start(() -> {
            try (UdpSender s = new UdpSender(a.localAddress(), 64)) {
                while (!stopSending.get()) {
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
        Steering steeringB = null;
        WorkerPool pb = null;
        Handover handoverB = null;
        try {
            Thread.sleep(300);
            ReuseportSocketGroup b = ReuseportSocketGroup.open(a.localAddress(), 3, 4 << 20);
            steeringB = Steering.attachOrFallback("handover", b, SteeringMode.parse(newMode), BpfObjectSource.bundled());
            pb = new WorkerPool("new", b, i -> d -> {}, ReceiveOptions.DEFAULT);
            pb.start();
            poolB.set(pb);
            handoverB = Handover.takeOver(settings(), "handover", b, steeringB);
            assertEquals(!steeringB.ebpfLoaded() && steeringA.ebpfLoaded(), handoverB.detachedProgram(),
                    "a successor on the hash detaches the old program, and only then");
            Thread.sleep(200);
            // A is told to stop: it leaves the selection if needed, drains until EAGAIN, closes.
            handoverA.beforeDrain();
            poolA.close();
            steeringA.close();
            handoverA.close();
            long aReceived = poolA.packets();
            long sentAtStop = sent.get();
            Thread.sleep(300);
            stopSending.set(true);
            sender.join();
            assertNull(senderFailure.get());
            long total = sent.get();
            WorkerPool finalB = pb;
            long bReceived = UdpSender.awaitReceived(finalB::packets, total - aReceived, Duration.ofSeconds(5));
            System.out.printf("handover %s -> %s: sent %d (%d when A stopped); A received %d %s, B received %d %s%n",
                    oldMode, newMode, total, sentAtStop, aReceived, poolA.stats().stream().map(s -> s.packets()).toList(),
                    bReceived, pb.stats().stream().map(s -> s.packets()).toList());
            assertTrue(aReceived > 0, "A received before the handover");
            assertTrue(total - sentAtStop > 0 && bReceived > 0, "B received after A stopped");
            assertEquals(total, aReceived + bReceived, "received by A + B == sent");

            // The pins are B's: its map (same socket cookies as the map its program uses), its record.
            PinDirectory dir = PinDirectory.of(pinRoot, "handover");
            OwnerRecord owner = OwnerRecord.read(dir.owner()).orElseThrow();
            assertEquals(SteeringMode.parse(newMode), owner.steering());
            assertEquals(3, owner.sockets());
            if (steeringB.ebpfLoaded()) {
                try (SocketMap pinned = SocketMap.openPinned(dir.socketMap())) {
                    for (int i = 0; i < 3; i++) {
                        assertEquals(steeringB.bpf().orElseThrow().socketMap().cookie(i), pinned.cookie(i));
                    }
                }
            } else {
                assertFalse(Files.exists(dir.socketMap()), "no program, no socket map pin");
            }
            handoverB.close();
            assertFalse(Files.exists(dir.owner()), "the owner removes its pins on exit");
            assertFalse(Files.exists(dir.socketMap()));
        } finally {
            stopSending.set(true);
            sender.join();
            poolA.close();
            steeringA.close();
            if (pb != null) pb.close();
            if (steeringB != null) steeringB.close();
            if (handoverB != null) handoverB.close();
        }
    }
}

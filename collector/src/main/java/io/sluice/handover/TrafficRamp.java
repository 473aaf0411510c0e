package io.sluice.handover;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.steering.BpfException;
import io.sluice.steering.SocketMap;
import io.sluice.steering.SteeringMode;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a predecessor's traffic to this process's sockets one slot at a time, before the switch
 * ({@code handover.ramp}, docs/upgrade.md).
 *
 * <p>Why: the switch is one step. Attaching this process's program sends the full rate to sockets whose
 * workers have never run a datagram through the Kafka producer, the decoders' live code paths or the
 * JIT's profiles of live traffic, and they drop until the JIT catches up (the bench measured 100-330k
 * datagrams lost in the successor's sockets at 161k IPFIX datagrams/s, two cores). The predecessor's
 * program selects a socket from its pinned socket map by index; putting this process's socket into one
 * of its slots steers that slot's share (1/N of the datagrams) to this process at once, atomically,
 * while the predecessor keeps serving the rest. Slot by slot, a pause between, the successor warms up
 * on a growing share of the live traffic. When every slot is ours the predecessor receives nothing
 * more; attaching our own program then changes nothing on the wire, and the predecessor is stopped as
 * before. No datagram can fall between: each slot holds either socket, and if this process dies during
 * the ramp its sockets leave the predecessor's map with it (the kernel removes a closed socket), the
 * empty slots fall back to the kernel's hash over the group, which then holds only the predecessor's.
 *
 * <p>The steps are as coarse as the predecessor has sockets (two workers: half, then all). A finer ramp
 * cannot come from more slots: the kernel keeps a socket in one slot of one REUSEPORT_SOCKARRAY only
 * (a second put of the same socket fails with EBUSY).
 *
 * <p>Only when the predecessor steers by program (its owner record says random or round-robin) and its
 * socket map is pinned; otherwise (hash steering, no pins, an older sluice) the switch stays one step.
 */
public final class TrafficRamp {
    private static final Logger LOG = LoggerFactory.getLogger(TrafficRamp.class);

    /** What a ramp did: the predecessor's slots moved to this process, and how long it took. */
    public record Result(int slots, Duration took) {
        public static final Result NONE = new Result(0, Duration.ZERO);
    }

    private TrafficRamp() {}

    /**
     * Ramps {@code listener}'s traffic from the process that owns its pins to {@code group}, over
     * {@code ramp} (slot i of the predecessor's map gets socket i mod size of ours, a pause of ramp / slots
     * after each but the last). Never throws for a handover step that fails: it logs and returns what it did,
     * since the switch that follows takes the port in any case.
     */
    public static Result run(HandoverSettings settings, String listener, ReuseportSocketGroup group, Duration ramp) {
        if (!settings.enabled() || ramp.isZero() || ramp.isNegative()) return Result.NONE;
        PinDirectory dir = PinDirectory.of(settings.pinRoot(), listener);
        Optional<OwnerRecord> owner;
        try {
            if (!java.nio.file.Files.exists(dir.owner()) || !java.nio.file.Files.exists(dir.socketMap())) return Result.NONE;
            owner = OwnerRecord.read(dir.owner());
        } catch (HandoverException | BpfException e) {
            LOG.warn("listener {}: no ramp, the owner record {} is unreadable: {}", listener, dir.owner(), e.getMessage());
            return Result.NONE;
        }
        if (owner.isEmpty() || !owner.get().ownerAlive()) return Result.NONE; // (this process: as a swap of its own groups)
        OwnerRecord p = owner.get();
        if (p.steering() == SteeringMode.HASH || p.sockets() < 1) {
            LOG.info("listener {}: no ramp, the previous owner pid {} steers by the kernel's hash", listener, p.pid());
            return Result.NONE;
        }
        long t0 = System.nanoTime();
        int moved = 0;
        try (SocketMap theirs = SocketMap.openPinned(dir.socketMap())) {
            long pauseNanos = ramp.toNanos() / p.sockets();
            for (int slot = 0; slot < p.sockets(); slot++) {
                theirs.put(slot, group, slot % group.size());
                moved++;
                if (slot + 1 < p.sockets()) TimeUnit.NANOSECONDS.sleep(pauseNanos);
            }
        } catch (BpfException e) {
            LOG.warn("listener {}: ramp from pid {} stopped after {} of {} slots: {}; the switch takes the rest at once",
                    listener, p.pid(), moved, p.sockets(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("listener {}: ramped {} of the previous owner's {} slots (pid {}) to this process's sockets in {} ms",
                listener, moved, p.sockets(), p.pid(), took.toMillis());
        return new Result(moved, took);
    }
}

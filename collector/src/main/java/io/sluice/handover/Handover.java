package io.sluice.handover;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.steering.BpfException;
import io.sluice.steering.BpfSteering;
import io.sluice.steering.ReuseportProgram;
import io.sluice.steering.Steering;
import io.sluice.steering.SteeringMode;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The graceful restart of one listener across sluice processes (docs/upgrade.md).
 *
 * <p>A starting process has bound its sockets with SO_REUSEPORT on the listener's address (they joined
 * the running process's reuseport group), attached its own program and filled its own socket map
 * ({@link Steering#attachOrFallback}): from that moment the kernel steers every new datagram to the
 * new sockets, because a group has one program and the new one's map holds only the new sockets. Then
 * {@link #takeOver} records the new owner in the listener's pin directory (the live socket map and an
 * {@link OwnerRecord}, replacing the previous ones) and finds the previous owner; once every listener
 * has taken over, {@link #stopPredecessors} sends it SIGTERM, and it drains what its sockets hold and
 * exits. If the new process runs on the kernel hash it cannot
 * steer by program, so it detaches the old program instead (the hash then spreads over both groups)
 * and the old one takes its own sockets out of the hash when it stops ({@link #beforeDrain}).
 *
 * <p>A stopping process calls {@link #beforeDrain} before its workers stop, then {@link #close} after
 * they drained: it removes the pins only if they are still its own.
 *
 * <p>Why pins at all, when the new process could find the old one by its sockets: the pins are what
 * an operator inspects ({@code bpftool map dump pinned /sys/fs/bpf/sluice/<listener>/socket_map}),
 * the owner record says whether the live owner steers by program (which decides the old one's drain),
 * and a crashed process's leftovers are recognised and replaced. The socket scan
 * ({@link SocketHolders}) is the fallback for a predecessor that could not pin.
 */
public final class Handover implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Handover.class);

    /** A process this one took the listener over from. */
    public record Predecessor(long pid, long startTicks, String foundBy, ProcessInfo.StopResult result) {}

    private final String listener;
    private final HandoverSettings settings;
    private final ReuseportSocketGroup group;
    private final PinDirectory dir;
    private final OwnerRecord self;
    private final List<Predecessor> predecessors;
    private final OwnerRecord stale;
    private final boolean detachedProgram;
    private boolean drainPrepared;
    private boolean closed;

    private Handover(String listener, HandoverSettings settings, ReuseportSocketGroup group, PinDirectory dir,
            OwnerRecord self, List<Predecessor> predecessors, OwnerRecord stale, boolean detachedProgram) {
        this.listener = listener;
        this.settings = settings;
        this.group = group;
        this.dir = dir;
        this.self = self;
        this.predecessors = predecessors;
        this.stale = stale;
        this.detachedProgram = detachedProgram;
    }

    /**
     * Takes {@code listener} over from whatever sluice served it before: detaches a previous program when
     * this process runs on the hash, replaces the pins with its own, and finds the previous owners
     * (by the owner record, and by their sockets). Call it once the group is bound, its steering
     * attached and its workers started; then, once every listener has taken over,
     * {@link #stopPredecessors} tells the previous owners to stop. Never throws for a handover step that fails (no bpffs, no privilege to pin): it logs a
     * WARN and goes on, since serving the listener matters more than pinning.
     */
    public static Handover takeOver(HandoverSettings settings, String listener, ReuseportSocketGroup group,
            Steering steering) {
        if (!settings.enabled()) {
            return new Handover(listener, settings, group, null, null, List.of(), null, false);
        }
        SteeringMode mode = steering.effectiveMode();
        // On the hash a previous owner's program would keep steering every datagram to the old sockets
        // (and, once they close, into empty slots): remove it so the kernel's hash includes ours.
        // (With a guard on the hash this process attached a filter program of its own, which replaced the old one.)
        boolean detached = steering.bpf().isEmpty() && detachProgram(group);
        if (detached) {
            LOG.info("listener {}: detached the previous owner's BPF program from the reuseport group on {}: the kernel's "
                    + "hash now spreads over both processes' sockets until the previous owner stops", listener,
                    group.localAddress());
        }
        Map<Long, Predecessor> found = new LinkedHashMap<>();
        PinDirectory dir = PinDirectory.of(settings.pinRoot(), listener);
        OwnerRecord self = null;
        OwnerRecord stale = null;
        try {
            BpfFs.ensureMounted(settings.pinRoot());
            try (PinDirectory.Lock lock = dir.lock(settings.lockTimeout())) {
                Optional<OwnerRecord> previous = readOwner(dir, listener);
                if (previous.isPresent()) {
                    OwnerRecord p = previous.get();
                    if (p.isThisProcess()) {
                        LOG.info("listener {}: the pins under {} were pinned earlier by this process: replacing them", listener, dir);
                    } else if (p.ownerAlive()) {
                        found.put(p.pid(), new Predecessor(p.pid(), p.startTicks(), "owner record " + dir.owner(), null));
                    } else {
                        stale = p;
                        LOG.warn("listener {}: stale pins under {} from {} which no longer runs (crashed or killed): "
                                + "replacing them", listener, dir, p);
                    }
                }
                Files.deleteIfExists(dir.socketMap());
                Files.deleteIfExists(dir.owner());
                Optional<BpfSteering> bpf = steering.bpf();
                if (bpf.isPresent()) {
                    bpf.get().pinMap(dir.socketMap());
                }
                self = OwnerRecord.ofThisProcess(mode, group.size());
                self.pin(settings.bpfObject(), dir.owner());
                LOG.info("listener {}: pinned {}the owner record under {} (bpftool map dump pinned {})", listener,
                        bpf.isPresent() ? "the socket map and " : "", dir, bpf.isPresent() ? dir.socketMap() : dir.owner());
            }
        } catch (HandoverException | BpfException | IOException e) {
            self = null;
            LOG.warn("listener {}: cannot pin the handover state under {}: {}; a successor finds this process by its "
                    + "sockets instead", listener, dir, e.getMessage());
        }
        try {
            for (Map.Entry<Long, Long> holder : SocketHolders.of(group).entrySet()) {
                found.putIfAbsent(holder.getKey(), new Predecessor(holder.getKey(), holder.getValue(),
                        "sockets bound to " + group.localAddress(), null));
            }
        } catch (IOException e) {
            LOG.warn("listener {}: cannot look for other processes bound to {}: {}", listener, group.localAddress(), e.toString());
        }
        if (found.isEmpty() && stale == null) {
            LOG.info("listener {}: no previous sluice on {}", listener, group.localAddress());
        }
        return new Handover(listener, settings, group, self == null ? null : dir, self,
                List.copyOf(found.values()), stale, detached);
    }

    /**
     * Sends SIGTERM to every predecessor found by {@link #takeOver} of these listeners, each process once.
     * Call it after every listener of this process has taken over: the predecessor stops all of its
     * listeners at once, and a listener this process has not bound yet would go dark in between.
     *
     * @return the outcome per predecessor process
     */
    public static List<Predecessor> stopPredecessors(Collection<Handover> handovers) {
        Map<Long, Predecessor> distinct = new LinkedHashMap<>();
        Map<Long, List<String>> listeners = new LinkedHashMap<>();
        for (Handover h : handovers) {
            for (Predecessor p : h.predecessors) {
                distinct.putIfAbsent(p.pid(), p);
                listeners.computeIfAbsent(p.pid(), k -> new ArrayList<>()).add(h.listener);
            }
        }
        List<Predecessor> outcomes = new ArrayList<>();
        for (Predecessor p : distinct.values()) {
            String names = String.join(", ", listeners.get(p.pid()));
            ProcessInfo.StopResult result;
            try {
                result = ProcessInfo.terminate(p.pid(), p.startTicks());
            } catch (HandoverException e) {
                LOG.warn("listeners {}: cannot stop the previous owner pid {}: {}", names, p.pid(), e.getMessage());
                continue;
            }
            outcomes.add(new Predecessor(p.pid(), p.startTicks(), p.foundBy(), result));
            switch (result) {
                case SIGNALLED -> LOG.info("listeners {}: took over from pid {} (found by its {}): sent SIGTERM; it drains "
                        + "its sockets and exits", names, p.pid(), p.foundBy());
                case NOT_SLUICE -> LOG.warn("listeners {}: pid {} (found by its {}) is not a sluice ({}): left alone",
                        names, p.pid(), p.foundBy(), ProcessInfo.commandLine(p.pid()));
                case GONE -> LOG.info("listeners {}: previous owner pid {} exited before it was told to stop", names, p.pid());
                case SELF -> { }
            }
        }
        return outcomes;
    }

    private static Optional<OwnerRecord> readOwner(PinDirectory dir, String listener) {
        try {
            return OwnerRecord.read(dir.owner());
        } catch (HandoverException | BpfException e) {
            LOG.warn("listener {}: unreadable owner record {} ({}): replacing it", listener, dir.owner(), e.getMessage());
            return Optional.empty();
        }
    }

    /** SO_DETACH_REUSEPORT_BPF on one socket detaches the group's program; false when there was none. */
    private static boolean detachProgram(ReuseportSocketGroup group) {
        try {
            return ReuseportProgram.detachAny(group);
        } catch (BpfException e) {
            LOG.warn(e.getMessage());
            return false;
        }
    }

    /**
     * Before the workers stop: makes sure no new datagram is steered to this process's sockets while
     * they drain. Nothing to do when a live successor's program steers the group (its map holds only
     * its sockets); otherwise (no successor, or one on the kernel hash) the sockets leave the hash
     * ({@link SocketRetirement}). Logs which; never throws.
     */
    public synchronized void beforeDrain() {
        if (drainPrepared) {
            return;
        }
        drainPrepared = true;
        Optional<OwnerRecord> owner = Optional.empty();
        if (dir != null) {
            owner = readOwner(dir, listener);
        }
        if (owner.isPresent() && !owner.get().equals(self) && owner.get().ownerAlive()
                && owner.get().steering().usesProgram()) {
            LOG.info("listener {}: {} steers the reuseport group with its program: draining what this process's sockets hold",
                    listener, owner.get());
            return;
        }
        try {
            SocketRetirement.retire(group);
            LOG.info("listener {}: sockets taken out of the reuseport group's selection{}: draining what they hold", listener,
                    owner.isPresent() && !owner.get().equals(self) ? " (successor " + owner.get() + ")" : "");
        } catch (HandoverException e) {
            LOG.warn("listener {}: {}", listener, e.getMessage());
        }
    }

    /** The previous owners {@link #takeOver} found: {@link #stopPredecessors} tells them to stop. */
    public List<Predecessor> predecessors() {
        return predecessors;
    }

    /** The record of a dead owner whose pins were replaced, if any. */
    public Optional<OwnerRecord> replacedStale() {
        return Optional.ofNullable(stale);
    }

    /** This process's record, empty when it could not pin. */
    public Optional<OwnerRecord> ownRecord() {
        return Optional.ofNullable(self);
    }

    /** Whether a previous owner's program was detached (this process runs on the hash). */
    public boolean detachedProgram() {
        return detachedProgram;
    }

    /** After the drain: removes the pins if this process still owns them (a successor's stay). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (dir == null) {
            return;
        }
        try (PinDirectory.Lock lock = dir.lock(settings.lockTimeout())) {
            Optional<OwnerRecord> owner = readOwner(dir, listener);
            if (owner.isPresent() && owner.get().equals(self)) {
                Files.deleteIfExists(dir.socketMap());
                Files.deleteIfExists(dir.owner());
                dir.removeIfEmpty();
                LOG.info("listener {}: removed its pins under {}", listener, dir);
            } else {
                LOG.info("listener {}: pins under {} belong to {} now: left in place", listener, dir,
                        owner.map(OwnerRecord::toString).orElse("nobody"));
            }
        } catch (HandoverException | IOException e) {
            LOG.warn("listener {}: cannot release the pins under {}: {}", listener, dir, e.getMessage());
        }
    }
}

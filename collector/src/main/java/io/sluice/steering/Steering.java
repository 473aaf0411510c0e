package io.sluice.steering;

import io.sluice.socket.ReuseportSocketGroup;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steering a listener actually runs with: the BPF program, or the kernel's 4-tuple hash when the
 * mode is {@code hash} or the program could not load. Never pretends: {@link #ebpfLoaded()} and
 * {@link #reason()} feed the {@code sluice_ebpf_loaded} gauge and the startup log.
 */
public final class Steering implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Steering.class);

    private final String listener;
    private final SteeringMode requested;
    private final BpfSteering bpf;
    private final String reason;

    private Steering(String listener, SteeringMode requested, BpfSteering bpf, String reason) {
        this.listener = listener;
        this.requested = requested;
        this.bpf = bpf;
        this.reason = reason;
    }

    /** {@link #attachOrFallback(String, ReuseportSocketGroup, SteeringMode, BpfObjectSource, GuardRules)} without a guard. */
    public static Steering attachOrFallback(String listener, ReuseportSocketGroup group, SteeringMode mode,
            BpfObjectSource source) {
        return attachOrFallback(listener, group, mode, source, GuardRules.NONE);
    }

    /**
     * Loads and attaches {@code mode}'s program to {@code group}, guarded by {@code rules}; when the kernel or
     * the machine refuses (no privilege, old kernel, verifier, map type, no libbpf) logs a WARN with the reason
     * and returns a fallback on the kernel hash, unguarded, unless {@code rules} has an allow-list: a port
     * meant to be closed to unknown sources is never opened silently.
     *
     * @throws BpfObjectException the object is missing or corrupt: a build/config error, not fallen back
     * @throws GuardUnavailableException {@code rules} has an allow-list and the program could not load
     * @throws IllegalArgumentException more sockets than the map holds
     */
    public static Steering attachOrFallback(String listener, ReuseportSocketGroup group, SteeringMode mode,
            BpfObjectSource source, GuardRules rules) {
        String program = mode.programName(rules.enforcing());
        if (program == null) {
            String why = "steering mode hash: the kernel's 4-tuple hash, no BPF program";
            LOG.info("listener {} on {}: {}", listener, group.localAddress(), why);
            return new Steering(listener, mode, null, why);
        }
        BpfSteering loaded = null;
        try {
            loaded = BpfSteering.load(source, mode, group.size(), rules);
            loaded.attach(group);
            LOG.info("listener {} on {}: BPF steering {} over {} sockets; guard: {}", listener, group.localAddress(), mode,
                    group.size(), rules.describe());
            return new Steering(listener, mode, loaded, "BPF program " + program + " attached");
        } catch (BpfLoadException e) {
            if (loaded != null) {
                loaded.close();
            }
            if (rules.allow() != null) {
                throw new GuardUnavailableException("listener " + listener + " has an allow-list but its BPF program "
                        + "cannot run here (" + e.getMessage() + "): refusing to open a port meant to be closed "
                        + "(docs/security.md: grant CAP_BPF, or set guard-fallback: user-space)", e);
            }
            LOG.warn("listener {} on {}: BPF steering {} unavailable, falling back to the kernel's 4-tuple hash "
                    + "(one exporter's packets all go to one socket{}): {}", listener, group.localAddress(), mode,
                    rules.rateLimit() != null ? "; the rate limit is NOT enforced" : "", e.getMessage());
            return new Steering(listener, mode, null, e.getMessage());
        }
    }

    /**
     * Puts {@code next} in force without a restart and without a gap (SIGHUP).
     *
     * @throws GuardUnavailableException {@code next} needs a program this listener does not run (steering
     *     hash without a guard so far, or the program could not load at start): a restart is needed
     */
    public void updateGuard(GuardRules next) {
        String why = refusesGuard(next);
        if (why != null) throw new GuardUnavailableException(why);
        if (bpf != null) bpf.guard().apply(next);
    }

    /** Checks what {@link #updateGuard} would refuse, without changing anything; null when it would apply. */
    public String refusesGuard(GuardRules next) {
        if (bpf == null && next.enforcing()) {
            return "listener " + listener + " runs without a BPF program (" + reason
                    + "): a guard (allow/rate-limit) needs a restart to load one";
        }
        return null;
    }

    /** The rules in force in the kernel ({@link GuardRules#NONE} without a program). */
    public GuardRules guardRules() {
        return bpf == null ? GuardRules.NONE : bpf.guard().rules();
    }

    /**
     * Whether a BPF program steers this listener (the {@code sluice_ebpf_loaded} gauge): not the case on
     * {@code hash}, even when a guard's filter program is attached ({@link #programAttached}).
     */
    public boolean ebpfLoaded() {
        return bpf != null && requested.usesProgram();
    }

    /** Whether this process attached a program to the group: a steering one, or {@code hash}'s guard filter. */
    public boolean programAttached() {
        return bpf != null;
    }

    /** Why the steering is what it is: the refusal when fallen back, else what is attached. */
    public String reason() {
        return reason;
    }

    public SteeringMode requestedMode() {
        return requested;
    }

    /** The mode in force: the requested one, or {@link SteeringMode#HASH} after a fallback. */
    public SteeringMode effectiveMode() {
        return bpf != null ? requested : SteeringMode.HASH;
    }

    public Optional<BpfSteering> bpf() {
        return Optional.ofNullable(bpf);
    }

    public String listener() {
        return listener;
    }

    /**
     * Steers to {@code next} (same address and size); on the kernel hash there is no map to swap, so this
     * throws: a handover without BPF would lose the old sockets' share of packets.
     */
    public void swap(ReuseportSocketGroup next) {
        if (!ebpfLoaded()) {
            throw new IllegalStateException("listener " + listener + " runs on the kernel hash (" + reason
                    + "): no socket map to swap");
        }
        bpf.swap(next);
    }

    @Override
    public void close() {
        if (bpf != null) {
            bpf.close();
        }
    }
}

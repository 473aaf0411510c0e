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
    /** The loaded program; null on the hash or after a fallback (attach refused): only the starting thread changes it. */
    private volatile BpfSteering bpf;
    private volatile String reason;
    private final GuardRules rules;

    private Steering(String listener, SteeringMode requested, BpfSteering bpf, String reason, GuardRules rules) {
        this.listener = listener;
        this.requested = requested;
        this.bpf = bpf;
        this.reason = reason;
        this.rules = rules;
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
        Steering steering = loadOrFallback(listener, group, mode, source, rules);
        steering.attach(group);
        return steering;
    }

    /**
     * The first half of {@link #attachOrFallback}: loads {@code mode}'s program for {@code group} (or falls
     * back, with the same rules) but leaves the group's steering as it is until {@link #attach}. A successor
     * binds its sockets, starts and warms its workers, and only then attaches: until that moment the
     * predecessor's program keeps steering every datagram to the predecessor's sockets (docs/upgrade.md).
     */
    public static Steering loadOrFallback(String listener, ReuseportSocketGroup group, SteeringMode mode,
            BpfObjectSource source, GuardRules rules) {
        String program = mode.programName(rules.enforcing());
        if (program == null) {
            String why = "steering mode hash: the kernel's 4-tuple hash, no BPF program";
            LOG.info("listener {} on {}: {}", listener, group.localAddress(), why);
            return new Steering(listener, mode, null, why, rules);
        }
        try {
            BpfSteering loaded = BpfSteering.load(source, mode, group.size(), rules);
            return new Steering(listener, mode, loaded, "BPF program " + program + " loaded, not attached yet", rules);
        } catch (BpfLoadException e) {
            return new Steering(listener, mode, null, fallBack(listener, group, mode, rules, e), rules);
        }
    }

    /**
     * Attaches the loaded program to {@code group} (from this moment the kernel steers the port's datagrams
     * by it, replacing any earlier process's program); a no-op on the hash or when already attached. A kernel
     * that refuses the attach falls back to the hash as a refused load does.
     *
     * @throws GuardUnavailableException the attach was refused and the rules have an allow-list
     */
    public void attach(ReuseportSocketGroup group) {
        BpfSteering loaded = bpf;
        if (loaded == null || loaded.attached()) return;
        try {
            loaded.attach(group);
            reason = "BPF program " + requested.programName(rules.enforcing()) + " attached";
            LOG.info("listener {} on {}: BPF steering {} over {} sockets; guard: {}", listener, group.localAddress(), requested,
                    group.size(), rules.describe());
        } catch (BpfLoadException e) {
            loaded.close();
            bpf = null;
            reason = fallBack(listener, group, requested, rules, e);
        }
    }

    /** The refusal, logged: the reason a fallback to the hash gives; or no fallback at all when an allow-list needs the program. */
    private static String fallBack(String listener, ReuseportSocketGroup group, SteeringMode mode, GuardRules rules,
            BpfLoadException e) {
        if (rules.allow() != null) {
            throw new GuardUnavailableException("listener " + listener + " has an allow-list but its BPF program "
                    + "cannot run here (" + e.getMessage() + "): refusing to open a port meant to be closed "
                    + "(docs/security.md: grant CAP_BPF, or set guard-fallback: user-space)", e);
        }
        LOG.warn("listener {} on {}: BPF steering {} unavailable, falling back to the kernel's 4-tuple hash "
                + "(one exporter's packets all go to one socket{}): {}", listener, group.localAddress(), mode,
                rules.rateLimit() != null ? "; the rate limit is NOT enforced" : "", e.getMessage());
        return e.getMessage();
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

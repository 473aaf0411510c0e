package io.sluice.handover;

import io.sluice.steering.BpfObjectSource;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code handover} section: how a listener hands over between sluice processes (docs/upgrade.md).
 *
 * @param enabled false: no pins, no predecessor is looked for or stopped (two sluice processes on one
 *     address then share it by the kernel's rules, and neither stops the other)
 * @param pinRoot where listeners keep their pins, one directory per listener ({@link PinDirectory});
 *     must be on a bpffs, which sluice mounts itself when it is missing ({@link BpfFs})
 * @param stateDir where the template snapshot is kept for the next process ("" = none)
 * @param templateSnapshotMaxAge an older snapshot is not loaded (exporters may have changed their templates)
 * @param bpfObject the object holding the {@code owner} map definition (the bundled one)
 * @param lockTimeout how long to wait for another sluice that is taking over or releasing the same
 *     listener at the same moment
 * @param warmUp how long a successor runs synthetic datagrams through its own decoders before it takes
 *     the port ({@code io.sluice.warmup}): a cold JVM runs interpreted and compiles for its first seconds,
 *     and the datagrams it cannot read in time are lost in its sockets. Only when another process serves
 *     the port; zero (the default): take it at once. Off by default because make bench measured no gain
 *     at 60k IPFIX datagrams/s and a loss at the steady-state limit on 2 cores (docs/upgrade.md)
 * @param ramp how long a successor takes to move the predecessor's traffic to its own sockets, one slot
 *     of the predecessor's socket map at a time, before it switches ({@link TrafficRamp}); zero: the
 *     switch in one step
 */
public record HandoverSettings(boolean enabled, Path pinRoot, String stateDir, Duration templateSnapshotMaxAge,
                               BpfObjectSource bpfObject, Duration lockTimeout, Duration warmUp, Duration ramp) {
    /** The default pin root: /sys/fs/bpf/sluice, where `bpftool map dump pinned` finds it. */
    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/sluice");

    /** See {@link #ramp}. */
    public static final Duration RAMP_DEFAULT = Duration.ZERO;

    public static final HandoverSettings DEFAULTS = new HandoverSettings(true, DEFAULT_PIN_ROOT, "",
            Duration.ofMinutes(10), BpfObjectSource.bundled(), Duration.ofSeconds(10), Duration.ZERO, RAMP_DEFAULT);

    public HandoverSettings withPinRoot(Path root) {
        return new HandoverSettings(enabled, root, stateDir, templateSnapshotMaxAge, bpfObject, lockTimeout, warmUp, ramp);
    }
}

package io.sluice.handover;

import io.sluice.steering.BpfObjectSource;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a listener hands over between sluice processes.
 *
 * @param enabled false: no pins, no predecessor is looked for or stopped (two sluice processes on one
 *     address then share it by the kernel's rules, and neither stops the other)
 * @param pinRoot where listeners keep their pins, one directory per listener ({@link PinDirectory});
 *     must be on a bpffs, which sluice mounts itself when it is missing ({@link BpfFs})
 * @param bpfObject the object holding the {@code owner} map definition (the bundled one)
 * @param lockTimeout how long to wait for another sluice that is taking over or releasing the same
 *     listener at the same moment
 */
public record HandoverSettings(boolean enabled, Path pinRoot, BpfObjectSource bpfObject, Duration lockTimeout) {
    /** The default pin root: /sys/fs/bpf/sluice, where `bpftool map dump pinned` finds it. */
    public static final Path DEFAULT_PIN_ROOT = Path.of("/sys/fs/bpf/sluice");

    public static HandoverSettings defaults() {
        return new HandoverSettings(true, DEFAULT_PIN_ROOT, BpfObjectSource.bundled(), Duration.ofSeconds(10));
    }

    public HandoverSettings withPinRoot(Path root) {
        return new HandoverSettings(enabled, root, bpfObject, lockTimeout);
    }
}

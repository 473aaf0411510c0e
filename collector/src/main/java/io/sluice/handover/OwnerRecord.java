package io.sluice.handover;

import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.OwnerMap;
import io.sluice.steering.SteeringMode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Who owns a listener's pins: struct sluice_owner of bpf/sluice_reuseport.bpf.c, pinned as the
 * one-entry map {@code <pin dir>/owner}. The pid alone would be unsafe (pids are recycled after a
 * crash), so it always travels with the process start time.
 *
 * <p>Records are compared whole ({@code equals}): "the pins are still mine" means the record is the one
 * this process pinned, which also tells two takeovers within one process apart (the tests' two groups).
 *
 * @param pinnedAtNanos wall clock of the takeover, epoch nanoseconds
 * @param steering the owner's effective steering: a successor on the kernel hash cannot steer the
 *     old sockets away with a program, so the old one takes its sockets out of the hash itself
 */
public record OwnerRecord(long pid, long startTicks, SteeringMode steering, int sockets, long pinnedAtNanos) {
    /** "SLUC": written by sluice (a value without it is not ours to trust). */
    static final int MAGIC = 0x534c5543;

    public static OwnerRecord ofThisProcess(SteeringMode steering, int sockets) {
        Instant now = Instant.now();
        return new OwnerRecord(ProcessInfo.selfPid(), ProcessInfo.selfStartTicks(), steering, sockets,
                now.getEpochSecond() * 1_000_000_000L + now.getNano());
    }

    /** Whether this record names the running JVM (same pid and start time). */
    public boolean isThisProcess() {
        return pid == ProcessInfo.selfPid() && startTicks == ProcessInfo.selfStartTicks();
    }

    /** Whether the named process still runs (a dead owner's pins are stale). */
    public boolean ownerAlive() {
        return ProcessInfo.alive(pid, startTicks);
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(OwnerMap.VALUE_SIZE).order(ByteOrder.nativeOrder());
        b.putInt(MAGIC).putInt((int) pid).putLong(startTicks).putInt(code(steering)).putInt(sockets).putLong(pinnedAtNanos);
        return b.array();
    }

    static OwnerRecord decode(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value).order(ByteOrder.nativeOrder());
        if (value.length != OwnerMap.VALUE_SIZE || b.getInt(0) != MAGIC) {
            throw new HandoverException("not a sluice owner record (magic " + Integer.toHexString(b.getInt(0)) + ")");
        }
        return new OwnerRecord(Integer.toUnsignedLong(b.getInt(4)), b.getLong(8), mode(b.getInt(16)), b.getInt(20), b.getLong(24));
    }

    /** Writes this record as a new map pinned at {@code pin} (which must not exist). */
    public void pin(BpfObjectSource source, Path pin) {
        OwnerMap.pin(source, pin, encode());
    }

    /**
     * The record pinned at {@code pin}, empty if none.
     *
     * @throws HandoverException or {@link io.sluice.steering.BpfException}: something unreadable is pinned there
     */
    public static Optional<OwnerRecord> read(Path pin) {
        return OwnerMap.read(pin).map(OwnerRecord::decode);
    }

    private static int code(SteeringMode m) {
        return switch (m) {
            case HASH -> 0;
            case RANDOM -> 1;
            case ROUND_ROBIN -> 2;
        };
    }

    private static SteeringMode mode(int code) {
        return switch (code) {
            case 1 -> SteeringMode.RANDOM;
            case 2 -> SteeringMode.ROUND_ROBIN;
            default -> SteeringMode.HASH;
        };
    }

    @Override
    public String toString() {
        return "pid " + pid + " (steering " + steering + ", " + sockets + " sockets, since "
                + Instant.ofEpochSecond(0, pinnedAtNanos) + ")";
    }
}

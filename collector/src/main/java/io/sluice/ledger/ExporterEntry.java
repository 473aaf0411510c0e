package io.sluice.ledger;

import io.sluice.decode.DecodeError;
import io.sluice.decode.Protocol;
import io.sluice.decode.SequenceKind;
import io.sluice.decode.SequenceObserver;
import io.sluice.flow.AddressFormat;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/**
 * What sluice knows of one exporter (one UDP source address), written by every worker that receives
 * its datagrams: LongAdders (no lost update, no shared cache line per increment) read at scrape time,
 * and its sequence spaces. The exporters beyond the table's cap share one entry, {@code "other"}.
 */
public final class ExporterEntry implements SequenceObserver {
    /** Sequence spaces kept per exporter; further ones are counted in {@link #untrackedSpaces}. */
    static final int MAX_SPACES = 64;

    final byte[] address;
    final int addressLength;
    /** The {@code exporter} label: the address, or {@code other}. */
    public final String label;
    private final long windowNanos;

    final LongAdder datagrams = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder flows = new LongAdder();
    final LongAdder[] errors = new LongAdder[DecodeError.values().length];
    final LongAdder untrackedSpaces = new LongAdder();
    /** Protocols seen, a bit per {@link Protocol} ordinal. */
    private volatile int protocols;
    private volatile long firstSeenMs;
    private volatile long lastSeenMs;
    private volatile SequenceSpace[] spaces = new SequenceSpace[0];

    ExporterEntry(byte[] address, int addressLength, String label, long windowNanos) {
        this.address = Arrays.copyOf(address, 16);
        this.addressLength = addressLength;
        this.label = label != null ? label : AddressFormat.format(address, addressLength);
        this.windowNanos = windowNanos;
        for (int i = 0; i < errors.length; i++) errors[i] = new LongAdder();
    }

    boolean matches(byte[] a, int length) {
        if (length != addressLength) return false;
        for (int i = 0; i < length; i++) if (a[i] != address[i]) return false;
        return true;
    }

    /** One datagram received from this exporter. */
    public void datagram(int length, long nowMs) {
        datagrams.increment();
        bytes.add(length);
        // written at most once a second: a shared cache line written per datagram would cost every worker
        if (nowMs - lastSeenMs >= 1000) {
            lastSeenMs = nowMs;
            if (firstSeenMs == 0) firstSeenMs = nowMs;
        }
    }

    public void protocol(Protocol p) {
        int bit = 1 << p.ordinal();
        if ((protocols & bit) == 0) {
            synchronized (this) {
                protocols |= bit;
            }
        }
    }

    public void flows(long count) {
        if (count > 0) flows.add(count);
    }

    public void error(DecodeError reason, long count) {
        if (count > 0) errors[reason.ordinal()].add(count);
    }

    @Override
    public void sequence(SequenceKind kind, long spaceA, long spaceB, long sequence, long units, long optionRecords,
                         long uptimeMs) {
        SequenceSpace s = space(kind, spaceA, spaceB);
        if (s != null) s.observe(sequence, units, optionRecords, uptimeMs);
    }

    private SequenceSpace space(SequenceKind kind, long a, long b) {
        SequenceSpace[] current = spaces;
        for (SequenceSpace s : current) {
            if (s.kind == kind && s.keyA == a && s.keyB == b) return s;
        }
        synchronized (this) { // a new space: rare (once per domain / source id)
            current = spaces;
            for (SequenceSpace s : current) {
                if (s.kind == kind && s.keyA == a && s.keyB == b) return s;
            }
            if (current.length >= MAX_SPACES) {
                untrackedSpaces.increment();
                return null;
            }
            SequenceSpace s = new SequenceSpace(kind, a, b, windowNanos);
            SequenceSpace[] grown = Arrays.copyOf(current, current.length + 1);
            grown[current.length] = s;
            spaces = grown;
            return s;
        }
    }

    // ---- read side (scrape, /exporters) ----

    public long datagrams() {
        return datagrams.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    public long flows() {
        return flows.sum();
    }

    public long errors(DecodeError reason) {
        return errors[reason.ordinal()].sum();
    }

    public long untrackedSpaces() {
        return untrackedSpaces.sum();
    }

    public long lastSeenMs() {
        return lastSeenMs;
    }

    public long firstSeenMs() {
        return firstSeenMs;
    }

    public boolean saw(Protocol p) {
        return (protocols & (1 << p.ordinal())) != 0;
    }

    public SequenceSpace[] spaces() {
        return spaces;
    }
}

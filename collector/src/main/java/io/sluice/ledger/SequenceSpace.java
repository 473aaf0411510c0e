package io.sluice.ledger;

import io.sluice.decode.SequenceKind;
import io.sluice.decode.SequenceObserver;
import java.util.Arrays;

/**
 * The accounting of one sequence space of one exporter (an sFlow agent/sub-agent, a NetFlow v9 source
 * id, an IPFIX observation domain ...): from the sequence numbers of the messages received, how many
 * units the exporter says it sent, and how many of them never arrived.
 *
 * <p>The books always balance: {@code expected = received + missing + pending}. {@code expected} grows
 * as the sequence moves forward (from the lowest sequence seen in the first window on); a forward jump
 * opens a gap whose units are {@code pending} until either late messages fill them or the reorder window
 * (a time) has passed, when they become {@code missing} for good. The window is a time, not a message
 * count, because the reordering comes from sluice itself: the eBPF program spreads one exporter's
 * datagrams over every worker socket, and one worker may decode a whole receive batch before another
 * reads the datagrams in between. Counters only grow: nothing is missing before the window has passed.
 *
 * <p>Rules: 32-bit wrap-around (distances are taken modulo 2^32, signed); a message behind the current
 * position inside an open gap is a late arrival; behind it, not in a gap but at or after the start of a
 * message received within the window, a duplicate; further behind, or with an uptime that went back by
 * more than {@link #UPTIME_TOLERANCE_MS}, a restart of the exporter (a reset: open gaps are counted
 * missing and the accounting starts again from this message). A message of unknown size (IPFIX data
 * waiting for its template) takes its size from where the next message starts.
 *
 * <p>Shared by every worker (one exporter's datagrams reach them all): each observation takes this
 * object's monitor for a short, bounded section. Nothing allocates but the gap table's growth.
 */
public final class SequenceSpace {
    /** An uptime that goes back by more than this is an exporter restart (reordering moves it by ms). */
    static final long UPTIME_TOLERANCE_MS = 5_000;
    /** Open gaps tracked at most (sorted by start); a further gap finalizes the oldest. */
    static final int MAX_GAPS = 1024;
    /** Recent message starts remembered for telling a duplicate from a restart. */
    static final int RECENT = 64;

    final SequenceKind kind;
    final long keyA;
    final long keyB;
    private final long windowNanos;

    private boolean started;
    private long startedNanos;
    /** The lowest unit accounted for (lowered while the first window lasts: the first messages come in any order). */
    private long first;
    /** The next unit expected, on an unbounded scale whose low 32 bits are the sequence. */
    private long next;
    /** The last message's size was unknown: {@link #next} is its start, not its end. */
    private boolean nextUnknown;
    private long lastUptimeMs = -1;
    private long messages;

    private long expected;
    private long received;
    private long missing;
    private long pending;
    private long duplicates;
    private long resets;

    private long[] gapStart = new long[4];
    private long[] gapEnd = new long[4];
    private long[] gapNanos = new long[4];
    private int gaps;

    private final long[] recentStart = new long[RECENT];
    private final long[] recentNanos = new long[RECENT];

    SequenceSpace(SequenceKind kind, long keyA, long keyB, long windowNanos) {
        this.kind = kind;
        this.keyA = keyA;
        this.keyB = keyB;
        this.windowNanos = Math.max(1, windowNanos);
    }

    /** One message header, received now. */
    public void observe(long sequence, long units, long uptimeMs) {
        observeAt(sequence, units, 0, uptimeMs, System.nanoTime());
    }

    /** @param excluded of {@code units}, those an exporter may leave out of its count (IPFIX options records) */
    public void observe(long sequence, long units, long excluded, long uptimeMs) {
        observeAt(sequence, units, excluded, uptimeMs, System.nanoTime());
    }

    void observeAt(long sequence, long units, long uptimeMs, long nowNanos) {
        observeAt(sequence, units, 0, uptimeMs, nowNanos);
    }

    /** One message header: see the class comment for the rules. */
    synchronized void observeAt(long sequence, long units, long excluded, long uptimeMs, long nowNanos) {
        messages++;
        boolean unknown = units == SequenceObserver.UNKNOWN_UNITS;
        sequence = convention(sequence & 0xFFFF_FFFFL, unknown ? 0 : units, unknown ? 0 : excluded, unknown);
        long size = unitsNow;
        if (!started) {
            start(sequence, size, unknown, uptimeMs, nowNanos);
            return;
        }
        expire(nowNanos);
        if (uptimeMs >= 0 && lastUptimeMs >= 0 && uptimeMs + UPTIME_TOLERANCE_MS < lastUptimeMs) {
            reset(sequence, size, unknown, uptimeMs, nowNanos);
            return;
        }
        int d = (int) (sequence - next); // signed distance modulo 2^32
        if (nextUnknown && d >= 0) {
            // the previous message's size is where this one starts: received, though not yet decoded
            expected += d;
            received += d;
            next += d;
            d = 0;
        }
        long pos = next + d;
        if (d >= 0) {
            nextUnknown = unknown;
            if (d > 0) openGap(next, pos, nowNanos);
            expected += d + size;
            received += size;
            next = pos + size;
            lastForward(unknown);
            remember(pos, nowNanos);
            if (uptimeMs >= 0) lastUptimeMs = Math.max(lastUptimeMs, uptimeMs);
            return;
        }
        long filled = fillGap(pos, size);
        if (filled >= 0) {
            received += filled;
            return;
        }
        if (pos + size <= first && nowNanos - startedNanos < windowNanos) {
            // the first messages are read in any order: the accounting starts at the lowest of them
            if (pos + size < first) insertGap(0, pos + size, first, nowNanos);
            expected += first - pos;
            received += size;
            first = pos;
            return;
        }
        if (pos >= floor(nowNanos)) {
            duplicates++;
            return;
        }
        reset(sequence, size, unknown, uptimeMs, nowNanos);
    }

    /**
     * Record-counting exporters do not all count alike: RFC 7011 numbers a message by the data records
     * sent before it, options records included; softflowd's IPFIX numbers it by the flow records up to
     * and including it. The four conventions (before / including, with / without options records) are
     * candidates until a pair of consecutive messages rules some out; the first candidate left is used,
     * the RFC's while it fits. A sequence is turned into the RFC form: the start of this message's units.
     */
    private long convention(long sequence, long size, long excluded, boolean unknown) {
        if (Long.bitCount(candidates) > 1 && hasLast && !unknown) {
            int fit = 0;
            for (int c = 0; c < 4; c++) {
                long u = (c & 1) == 0 ? size : size - excluded;
                long lastU = (c & 1) == 0 ? lastSize : lastSize - lastExcluded;
                boolean ok = (c & 2) == 0 ? sequence == ((lastRaw + lastU) & 0xFFFF_FFFFL)
                        : ((sequence - u) & 0xFFFF_FFFFL) == lastRaw;
                if (ok) fit |= 1 << c;
            }
            int narrowed = candidates & fit;
            if (narrowed != 0 && narrowed != candidates) {
                int before = Integer.numberOfTrailingZeros(candidates);
                candidates = narrowed;
                int now = Integer.numberOfTrailingZeros(candidates);
                if (now != before && started && !nextUnknown) {
                    // what was accounted so far used another convention: the last message ends elsewhere
                    long lastU = (now & 1) == 0 ? lastSize : lastSize - lastExcluded;
                    long end = (now & 2) == 0 ? lastRaw + lastU : lastRaw;
                    next += (int) (end - next);
                }
            }
        }
        rawNow = sequence;
        sizeNow = size;
        excludedNow = excluded;
        int c = Integer.numberOfTrailingZeros(candidates);
        long u = (c & 1) == 0 ? size : size - excluded;
        unitsNow = u;
        return (c & 2) == 0 ? sequence : (sequence - u) & 0xFFFF_FFFFL;
    }

    /** Conventions still possible, a bit each: 1 before/all (RFC 7011), 2 before/flows, 4 including/all, 8 including/flows. */
    private int candidates = 0b1111;
    private boolean hasLast;
    private long lastRaw;
    private long lastSize;
    private long lastExcluded;
    /** The current message's units under the chosen convention. */
    private long unitsNow;
    private long rawNow;
    private long sizeNow;
    private long excludedNow;

    /** The message that moved the sequence forward is the one the next message is compared with (not a late one). */
    private void lastForward(boolean unknown) {
        hasLast = !unknown;
        lastRaw = rawNow;
        lastSize = sizeNow;
        lastExcluded = excludedNow;
    }

    private void start(long sequence, long size, boolean unknown, long uptimeMs, long nowNanos) {
        started = true;
        startedNanos = nowNanos;
        first = sequence & 0xFFFF_FFFFL;
        next = first + size;
        nextUnknown = unknown;
        lastForward(unknown);
        expected += size;
        received += size;
        lastUptimeMs = uptimeMs;
        Arrays.fill(recentNanos, Long.MIN_VALUE);
        remember(first, nowNanos);
    }

    private void reset(long sequence, long size, boolean unknown, long uptimeMs, long nowNanos) {
        resets++;
        missing += pending;
        pending = 0;
        gaps = 0;
        start(sequence, size, unknown, uptimeMs, nowNanos); // its first messages may come in any order too
    }

    private void openGap(long from, long to, long nowNanos) {
        insertGap(gaps, from, to, nowNanos);
    }

    private void insertGap(int at, long from, long to, long nowNanos) {
        if (gaps == MAX_GAPS) {
            finalizeGap(0);
            at = Math.max(0, at - 1);
        }
        if (gaps == gapStart.length) {
            int n = Math.min(MAX_GAPS, gaps * 2);
            gapStart = Arrays.copyOf(gapStart, n);
            gapEnd = Arrays.copyOf(gapEnd, n);
            gapNanos = Arrays.copyOf(gapNanos, n);
        }
        System.arraycopy(gapStart, at, gapStart, at + 1, gaps - at);
        System.arraycopy(gapEnd, at, gapEnd, at + 1, gaps - at);
        System.arraycopy(gapNanos, at, gapNanos, at + 1, gaps - at);
        gapStart[at] = from;
        gapEnd[at] = to;
        gapNanos[at] = nowNanos;
        gaps++;
        pending += to - from;
    }

    /**
     * Takes what {@code [pos, pos + size)} covers of an open gap out of it; returns the units filled, or -1
     * when it covers none (a duplicate or a restart). Partial cover happens while an exporter's counting
     * convention is still being learnt (see {@link #convention}): the covered part is received.
     */
    private long fillGap(long pos, long size) {
        // gaps are sorted and disjoint: the last one starting at or before pos, or the one after it
        int lo = 0, hi = gaps - 1, i = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (gapStart[mid] <= pos) {
                i = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (i < 0 || pos >= gapEnd[i]) i++;
        if (i >= gaps) return -1;
        long s = gapStart[i], e = gapEnd[i];
        long from = Math.max(pos, s), to = Math.min(pos + size, e);
        if (to < from || (to == from && (size > 0 || pos < s || pos >= e))) return -1;
        long filled = to - from;
        pending -= filled;
        if (from == s && to == e) {
            removeGap(i);
        } else if (from == s) {
            gapStart[i] = to;
        } else if (to == e) {
            gapEnd[i] = from;
        } else { // split in two
            gapEnd[i] = from;
            pending -= e - to; // insertGap adds it back
            insertGap(i + 1, to, e, gapNanos[i]);
        }
        return filled;
    }

    /** Gaps older than the window are missing for good. */
    private void expire(long nowNanos) {
        for (int i = 0; i < gaps; ) {
            if (nowNanos - gapNanos[i] >= windowNanos) finalizeGap(i);
            else i++;
        }
    }

    private void finalizeGap(int i) {
        long size = gapEnd[i] - gapStart[i];
        pending -= size;
        missing += size;
        removeGap(i);
    }

    private void removeGap(int i) {
        gaps--;
        System.arraycopy(gapStart, i + 1, gapStart, i, gaps - i);
        System.arraycopy(gapEnd, i + 1, gapEnd, i, gaps - i);
        System.arraycopy(gapNanos, i + 1, gapNanos, i, gaps - i);
    }

    private void remember(long start, long nowNanos) {
        int slot = (int) (messages % RECENT);
        recentStart[slot] = start;
        recentNanos[slot] = nowNanos;
    }

    /** The lowest start of a message received within the window: behind it a message is a restart. */
    private long floor(long nowNanos) {
        long floor = next;
        for (int i = 0; i < RECENT; i++) {
            if (recentNanos[i] != Long.MIN_VALUE && nowNanos - recentNanos[i] < windowNanos) floor = Math.min(floor, recentStart[i]);
        }
        return floor;
    }

    /** A consistent copy of the counters (gaps past the window settled first), for the metrics and /exporters. */
    public Snapshot snapshot() {
        return snapshot(System.nanoTime());
    }

    synchronized Snapshot snapshot(long nowNanos) {
        expire(nowNanos);
        return new Snapshot(kind, keyA, keyB, expected, received, missing, pending, duplicates, resets,
                next & 0xFFFF_FFFFL, messages);
    }

    /**
     * @param expected units the exporter sent by its sequence numbers, since the first one seen
     * @param received units that arrived (duplicates not counted)
     * @param missing units that did not arrive within the window
     * @param pending units of open gaps (late messages may still fill them)
     * @param nextSequence the sequence number the next message should carry
     */
    public record Snapshot(SequenceKind kind, long keyA, long keyB, long expected, long received, long missing,
                           long pending, long duplicates, long resets, long nextSequence, long messages) {}
}

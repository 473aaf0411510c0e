package io.sluice.ledger;

import io.sluice.decode.SequenceKind;
import io.sluice.decode.SequenceObserver;
import java.util.Arrays;

/**
 * The accounting of one sequence space of one exporter, under one counting convention (an sFlow agent/sub-agent, a NetFlow v9 source
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
 * more than {@link #UPTIME_TOLERANCE_MS}, a restart of the exporter (without that uptime drop, a message
 * behind every remembered one is late: counted in {@code late}, its units already missing) (a reset: open gaps are counted
 * missing and the accounting starts again from this message). A message of unknown size (IPFIX data
 * waiting for its template) takes its size from where the next message starts.
 *
 * <p>Not thread-safe: its {@link SequenceSpace} calls it under its own monitor. Nothing allocates but
 * the gap table's growth.
 */
final class SequenceTrack {
    /** An uptime that goes back by more than this is an exporter restart (reordering moves it by ms). */
    static final long UPTIME_TOLERANCE_MS = 5_000;
    /**
     * Open gaps tracked at most (sorted by start); a further one merges the two lowest into one, so that
     * memory stays bounded without settling any gap before its window (a worker stalled on a loaded
     * machine delivers datagrams thousands of gaps behind the others: settled early, they would look like
     * an exporter restart and count the exporter's whole run twice).
     */
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
    /** Units of late messages beyond the gap they filled (only a wrong counting convention makes them). */
    private long overlaps;
    private long resets;
    /**
     * Units of messages that came after their gap had settled as missing (a worker descheduled for longer
     * than the window, a path that held them): they stay in {@code missing}, and are decoded and delivered.
     */
    private long late;

    private long[] gapStart = new long[4];
    private long[] gapEnd = new long[4];
    private long[] gapNanos = new long[4];
    /** Units still pending in each gap: its span, unless it was merged (then fewer: the units received between). */
    private long[] gapPending = new long[4];
    private int gaps;

    private final long[] recentStart = new long[RECENT];
    private final long[] recentNanos = new long[RECENT];

    SequenceTrack(SequenceKind kind, long keyA, long keyB, long windowNanos) {
        this.kind = kind;
        this.keyA = keyA;
        this.keyB = keyB;
        this.windowNanos = Math.max(1, windowNanos);
    }

    /** One message header: see the class comment for the rules. */
    void observeAt(long sequence, long units, long uptimeMs, long nowNanos) {
        messages++;
        boolean unknown = units == SequenceObserver.UNKNOWN_UNITS;
        long size = unknown ? 0 : units;
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
            remember(pos, nowNanos);
            if (uptimeMs >= 0) lastUptimeMs = Math.max(lastUptimeMs, uptimeMs);
            return;
        }
        long filled = fillGap(pos, size);
        if (filled >= 0) {
            received += filled;
            overlaps += size - filled; // a message that does not tile the gap: the convention is wrong
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
        if (uptimeMs >= 0 && lastUptimeMs >= 0) {
            // behind every message of the window, but the exporter's uptime did not go back (checked above): a
            // message that waited longer than the window, not a restart (which would count the run twice)
            late += size;
            return;
        }
        reset(sequence, size, unknown, uptimeMs, nowNanos);
    }

    private void start(long sequence, long size, boolean unknown, long uptimeMs, long nowNanos) {
        started = true;
        startedNanos = nowNanos;
        first = sequence & 0xFFFF_FFFFL;
        next = first + size;
        nextUnknown = unknown;
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
        if (gaps == gapStart.length) {
            int n = Math.min(MAX_GAPS + 1, gaps * 2);
            gapStart = Arrays.copyOf(gapStart, n);
            gapEnd = Arrays.copyOf(gapEnd, n);
            gapNanos = Arrays.copyOf(gapNanos, n);
            gapPending = Arrays.copyOf(gapPending, n);
        }
        System.arraycopy(gapStart, at, gapStart, at + 1, gaps - at);
        System.arraycopy(gapEnd, at, gapEnd, at + 1, gaps - at);
        System.arraycopy(gapNanos, at, gapNanos, at + 1, gaps - at);
        System.arraycopy(gapPending, at, gapPending, at + 1, gaps - at);
        gapStart[at] = from;
        gapEnd[at] = to;
        gapNanos[at] = nowNanos;
        gapPending[at] = to - from;
        gaps++;
        pending += to - from;
        if (gaps > MAX_GAPS) mergeLowest();
    }

    /** The two lowest gaps become one; it settles when the newer of the two would have. */
    private void mergeLowest() {
        gapEnd[0] = gapEnd[1];
        gapPending[0] += gapPending[1];
        gapNanos[0] = Math.max(gapNanos[0], gapNanos[1]);
        removeGap(1);
    }

    /**
     * Takes what {@code [pos, pos + size)} covers of an open gap out of it; returns the units filled, or -1
     * when it covers none (a duplicate or a restart). Partial cover happens while an exporter's counting
     * convention is still being learnt (see {@link SequenceSpace}): the covered part is received.
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
        if (gapPending[i] < e - s) {
            // a merged gap: which of its units are still pending is no longer known, only how many
            filled = Math.min(filled, gapPending[i]);
            pending -= filled;
            gapPending[i] -= filled;
            if (gapPending[i] == 0) removeGap(i);
            return filled;
        }
        pending -= filled;
        if (from == s && to == e) {
            removeGap(i);
        } else if (from == s) {
            gapStart[i] = to;
            gapPending[i] = e - to;
        } else if (to == e) {
            gapEnd[i] = from;
            gapPending[i] = from - s;
        } else { // split in two
            gapEnd[i] = from;
            gapPending[i] = from - s;
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
        long size = gapPending[i];
        pending -= size;
        missing += size;
        removeGap(i);
    }

    private void removeGap(int i) {
        gaps--;
        System.arraycopy(gapStart, i + 1, gapStart, i, gaps - i);
        System.arraycopy(gapEnd, i + 1, gapEnd, i, gaps - i);
        System.arraycopy(gapNanos, i + 1, gapNanos, i, gaps - i);
        System.arraycopy(gapPending, i + 1, gapPending, i, gaps - i);
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

    SequenceSpace.Snapshot snapshot(long nowNanos) {
        expire(nowNanos);
        return new SequenceSpace.Snapshot(kind, keyA, keyB, expected, received, missing, pending, duplicates, resets, late,
                next & 0xFFFF_FFFFL, messages);
    }

    /** Units missing, pending or duplicated: what a wrong counting convention produces. */
    long anomalies() {
        return missing + pending + duplicates + resets;
    }

    /**
     * Anomalies that reordering cannot undo, once the gaps older than the window at {@code nowNanos} are
     * settled: what a wrong convention makes of a message it sizes wrongly, a duplicate, a late message
     * overlapping the end of its gap, or a gap no message fills (missing). Pending units are left out: while
     * datagrams are read out of order every convention has some, and they would hide the one-unit
     * difference an options record makes.
     */
    long settledAnomalies(long nowNanos) {
        expire(nowNanos);
        return missing + duplicates + overlaps + resets;
    }
}

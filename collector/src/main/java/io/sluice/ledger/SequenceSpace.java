package io.sluice.ledger;

import io.sluice.decode.SequenceKind;
import io.sluice.decode.SequenceObserver;

/**
 * The accounting of one sequence space of one exporter (an sFlow agent/sub-agent, a NetFlow v9 source
 * id, an IPFIX observation domain ...): from the sequence numbers of the messages received, how many
 * units the exporter says it sent, and how many of them never arrived.
 *
 * <p>The books always balance: {@code expected = received + missing + pending}. {@code expected} grows
 * as the sequence moves forward (from the first message seen on); a forward jump opens a gap whose
 * units are {@code pending} until either a late message fills them (the eBPF program spreads one
 * exporter's datagrams over every worker, so they arrive out of order) or {@code window} more messages
 * have arrived, when they become {@code missing} for good. Counters only grow (Prometheus counters):
 * nothing is counted missing before the window has passed.
 *
 * <p>Rules: 32-bit wrap-around (distances are taken modulo 2^32, signed); a message behind the current
 * position inside an open gap is a late arrival; behind it but not in a gap and within the window of
 * the last messages is a duplicate; further behind, or with an uptime that went back by more than
 * {@link #UPTIME_TOLERANCE_MS}, is a restart of the exporter (a reset: open gaps are counted missing
 * and the accounting starts again from this message). A message of unknown size (IPFIX data waiting
 * for its template) takes its size from where the next message starts.
 *
 * <p>Shared by every worker (one exporter's datagrams reach them all): each observation takes this
 * object's monitor for a few dozen instructions. Nothing allocates.
 */
public final class SequenceSpace {
    /** An uptime that goes back by more than this is an exporter restart (reordering moves it by ms). */
    static final long UPTIME_TOLERANCE_MS = 5_000;
    /** Open gaps tracked at once; a further gap finalizes the oldest. */
    static final int MAX_GAPS = 16;

    final SequenceKind kind;
    final long keyA;
    final long keyB;
    private final int window;

    private boolean started;
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

    private final long[] gapStart = new long[MAX_GAPS];
    private final long[] gapEnd = new long[MAX_GAPS];
    private final long[] gapMessage = new long[MAX_GAPS];
    private int gaps;

    /** Units, in the last {@code window} messages, the window spans backwards from {@link #next}. */
    private final long[] recentStarts;

    SequenceSpace(SequenceKind kind, long keyA, long keyB, int window) {
        this.kind = kind;
        this.keyA = keyA;
        this.keyB = keyB;
        this.window = Math.max(1, window);
        this.recentStarts = new long[this.window];
    }

    /** One message header: see the class comment for the rules. */
    public synchronized void observe(long sequence, long units, long uptimeMs) {
        messages++;
        boolean unknown = units == SequenceObserver.UNKNOWN_UNITS;
        long size = unknown ? 0 : units;
        if (!started) {
            start(sequence, size, unknown, uptimeMs);
            return;
        }
        int d = (int) (sequence - next); // signed distance modulo 2^32
        if (uptimeMs >= 0 && lastUptimeMs >= 0 && uptimeMs + UPTIME_TOLERANCE_MS < lastUptimeMs) {
            reset(sequence, size, unknown, uptimeMs);
            return;
        }
        if (nextUnknown && d >= 0) {
            // the previous message's size is where this one starts: received, though not yet decoded
            expected += d;
            received += d;
            next += d;
            d = 0;
        }
        nextUnknown = false;
        if (d >= 0) {
            long pos = next + d;
            if (d > 0) openGap(next, pos);
            expected += d + size;
            received += size;
            remember(pos);
            next = pos + size;
            nextUnknown = unknown;
            if (uptimeMs >= 0) lastUptimeMs = Math.max(lastUptimeMs, uptimeMs);
            finalizeOld();
            return;
        }
        long pos = next + d;
        if (fillGap(pos, size)) {
            received += size;
            finalizeOld();
            return;
        }
        if (pos >= windowFloor()) {
            duplicates++;
            return;
        }
        reset(sequence, size, unknown, uptimeMs);
    }

    private void start(long sequence, long size, boolean unknown, long uptimeMs) {
        started = true;
        next = (sequence & 0xFFFF_FFFFL) + size;
        nextUnknown = unknown;
        expected += size;
        received += size;
        lastUptimeMs = uptimeMs;
        for (int i = 0; i < recentStarts.length; i++) recentStarts[i] = next - size;
    }

    private void reset(long sequence, long size, boolean unknown, long uptimeMs) {
        resets++;
        missing += pending;
        pending = 0;
        gaps = 0;
        start(sequence, size, unknown, uptimeMs);
    }

    private void openGap(long from, long to) {
        if (gaps == MAX_GAPS) finalizeGap(0);
        gapStart[gaps] = from;
        gapEnd[gaps] = to;
        gapMessage[gaps] = messages;
        gaps++;
        pending += to - from;
    }

    /** Takes {@code [pos, pos + size)} out of the open gap that holds it; false if none holds it whole. */
    private boolean fillGap(long pos, long size) {
        for (int i = 0; i < gaps; i++) {
            long s = gapStart[i], e = gapEnd[i];
            if (pos < s || pos + size > e) continue;
            pending -= size;
            if (pos == s && pos + size == e) {
                removeGap(i);
            } else if (pos == s) {
                gapStart[i] = pos + size;
            } else if (pos + size == e) {
                gapEnd[i] = pos;
            } else { // split in two
                gapEnd[i] = pos;
                if (gaps == MAX_GAPS) finalizeGap(0);
                gapStart[gaps] = pos + size;
                gapEnd[gaps] = e;
                gapMessage[gaps] = gapMessage[Math.min(i, gaps - 1)];
                gaps++;
            }
            return true;
        }
        return false;
    }

    /** Gaps opened {@code window} messages ago or more are missing for good. */
    private void finalizeOld() {
        for (int i = 0; i < gaps; ) {
            if (messages - gapMessage[i] >= window) finalizeGap(i);
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
        for (int j = i; j < gaps; j++) {
            gapStart[j] = gapStart[j + 1];
            gapEnd[j] = gapEnd[j + 1];
            gapMessage[j] = gapMessage[j + 1];
        }
    }

    private void remember(long start) {
        recentStarts[(int) (messages % window)] = start;
    }

    /** The lowest start among the last {@code window} messages: behind it a message is a restart. */
    private long windowFloor() {
        long floor = Long.MAX_VALUE;
        for (long s : recentStarts) floor = Math.min(floor, s);
        return floor;
    }

    /** A consistent copy of the counters, for the metrics and /exporters. */
    public synchronized Snapshot snapshot() {
        return new Snapshot(kind, keyA, keyB, expected, received, missing, pending, duplicates, resets,
                next & 0xFFFF_FFFFL, messages);
    }

    /**
     * @param expected units the exporter sent by its sequence numbers, since the first one seen
     * @param received units that arrived (duplicates not counted)
     * @param missing units that did not arrive within the window
     * @param pending units of open gaps (a late message may still fill them)
     * @param nextSequence the sequence number the next message should carry
     */
    public record Snapshot(SequenceKind kind, long keyA, long keyB, long expected, long received, long missing,
                           long pending, long duplicates, long resets, long nextSequence, long messages) {}
}

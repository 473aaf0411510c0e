package io.sluice.ledger;

import io.sluice.decode.SequenceKind;
import io.sluice.decode.SequenceObserver;

/**
 * One sequence space of one exporter (an sFlow agent/sub-agent, a NetFlow v9 source id, an IPFIX
 * observation domain ...), shared by every worker: each observation takes this object's monitor for a
 * short, bounded section. The rules are {@link SequenceTrack}'s.
 *
 * <p>Record-counting exporters do not all count alike: RFC 7011 numbers an IPFIX message by the data
 * records (options records included) sent before it; softflowd numbers it by the flow records up to and
 * including it. For record-counting spaces (NetFlow v5, IPFIX) every convention (before / including,
 * with / without options records) is tracked side by side, and once {@link #LEARN_MESSAGES} messages have
 * come and a reorder window has passed since the first, the one with the fewest settled anomalies
 * (duplicates, late messages overlapping the end of their gap, gaps settled as missing, resets; then
 * pending) is kept: a wrong convention leaves one of them at every message it sizes differently, the right
 * one none. Pending units do not decide: the eBPF spread makes every convention's gaps wait for late
 * datagrams, and softflowd's conventions with and without options records differ by one unit every 16
 * messages only (deciding on pending after 32 messages picked the wrong one in about a quarter of
 * reordered starts, which then counted 20 records missing and a duplicate at every options message:
 * ReorderedConventionTest, found by ExporterLedgerIT). Until then the best so far is reported (the first
 * counters may move between conventions).
 */
public final class SequenceSpace {
    /** Messages after which the counting convention is fixed. */
    static final int LEARN_MESSAGES = 32;

    final SequenceKind kind;
    final long keyA;
    final long keyB;
    /** Per convention c: bit 0 = options records left out, bit 1 = the sequence includes the message. */
    private final SequenceTrack[] tracks;
    private int chosen;
    private boolean fixed;
    private long messages;
    private final long windowNanos;
    private long firstNanos;

    SequenceSpace(SequenceKind kind, long keyA, long keyB, long windowNanos) {
        this.kind = kind;
        this.keyA = keyA;
        this.keyB = keyB;
        boolean records = kind == SequenceKind.IPFIX || kind == SequenceKind.NETFLOW_V5;
        this.tracks = new SequenceTrack[records ? 4 : 1];
        for (int c = 0; c < tracks.length; c++) tracks[c] = new SequenceTrack(kind, keyA, keyB, windowNanos);
        this.fixed = !records;
        this.windowNanos = windowNanos;
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

    synchronized void observeAt(long sequence, long units, long excluded, long uptimeMs, long nowNanos) {
        boolean unknown = units == SequenceObserver.UNKNOWN_UNITS;
        if (!fixed && messages >= LEARN_MESSAGES && nowNanos - firstNanos >= windowNanos) {
            // decided on what came before this message: an exporter that sent its first messages in a burst and
            // then restarted a few seconds later would otherwise have its restart judged under four conventions
            // at once, and a wrong one could win on it (ExporterLossTest, 1 run in 6)
            chosen = best(nowNanos);
            fixed = true;
            for (int c = 0; c < tracks.length; c++) if (c != chosen) tracks[c] = null; // their gaps' memory
        }
        if (fixed) {
            feed(chosen, sequence, units, excluded, unknown, uptimeMs, nowNanos);
            return;
        }
        if (messages++ == 0) firstNanos = nowNanos;
        for (int c = 0; c < tracks.length; c++) feed(c, sequence, units, excluded, unknown, uptimeMs, nowNanos);
        chosen = best(nowNanos);
    }

    /** The convention with the fewest settled anomalies, then the fewest anomalies (see the class comment). */
    private int best(long nowNanos) {
        int best = 0;
        long bestSettled = tracks[0].settledAnomalies(nowNanos);
        for (int c = 1; c < tracks.length; c++) {
            long settled = tracks[c].settledAnomalies(nowNanos);
            if (settled < bestSettled || (settled == bestSettled && tracks[c].anomalies() < tracks[best].anomalies())) {
                best = c;
                bestSettled = settled;
            }
        }
        return best;
    }

    private void feed(int c, long sequence, long units, long excluded, boolean unknown, long uptimeMs, long nowNanos) {
        long u = unknown ? units : (c & 1) == 0 ? units : units - excluded;
        long s = (c & 2) == 0 || unknown ? sequence : (sequence - u) & 0xFFFF_FFFFL;
        tracks[c].observeAt(s, u, uptimeMs, nowNanos);
    }

    /** A consistent copy of the counters (gaps past the window settled first), for the metrics and /exporters. */
    public Snapshot snapshot() {
        return snapshot(System.nanoTime());
    }

    synchronized Snapshot snapshot(long nowNanos) {
        for (SequenceTrack t : tracks) if (t != null) t.snapshot(nowNanos); // every convention settles its gaps alike
        return tracks[chosen].snapshot(nowNanos);
    }

    /**
     * @param expected units the exporter sent by its sequence numbers, since the first one seen
     * @param received units that arrived (duplicates not counted)
     * @param missing units that did not arrive within the window
     * @param pending units of open gaps (late messages may still fill them)
     * @param late units that arrived after the window had settled them as missing (also in {@code missing})
     * @param nextSequence the sequence number the next message should carry (RFC 7011 form)
     */
    public record Snapshot(SequenceKind kind, long keyA, long keyB, long expected, long received, long missing,
                           long pending, long duplicates, long resets, long late, long nextSequence, long messages) {}
}

package io.sluice.output;

import java.util.concurrent.atomic.LongAdder;

/**
 * What one worker's output did with its flows. Written by the worker thread and by the Kafka
 * producer's I/O thread (send callbacks), so these are LongAdders; read at scrape time.
 * Accounting: every flow handed to the output ends as exactly one of sent or dropped (by reason).
 */
public final class OutputStats {
    private final LongAdder flowsSent = new LongAdder();
    private final LongAdder countersSent = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[DropReason.values().length];
    private final LongAdder countersDropped = new LongAdder();

    public OutputStats() {
        for (int i = 0; i < dropped.length; i++) dropped[i] = new LongAdder();
    }

    public void flowSent() {
        flowsSent.increment();
    }

    public void flowsSent(int n) {
        flowsSent.add(n);
    }

    public void counterSent() {
        countersSent.increment();
    }

    public void counterDropped() {
        countersDropped.increment();
    }

    private final LongAdder dropNotificationsSent = new LongAdder();
    private final LongAdder dropNotificationsDropped = new LongAdder();

    /** An sFlow drop notification delivered (Kafka acknowledged it; the file/none output took it). */
    public void dropNotificationSent() {
        dropNotificationsSent.increment();
    }

    /** An sFlow drop notification not delivered (Kafka error, write error, no drops file): as counter records are counted. */
    public void dropNotificationDropped() {
        dropNotificationsDropped.increment();
    }

    public long dropNotificationsSent() {
        return dropNotificationsSent.sum();
    }

    public long dropNotificationsDropped() {
        return dropNotificationsDropped.sum();
    }

    /** An error reported by the output (Kafka callback error, write error); not counted for buffer_full. */
    public void error() {
        errors.increment();
    }

    public void dropped(DropReason reason, int n) {
        dropped[reason.ordinal()].add(n);
    }

    /** Flows the output confirmed: Kafka acknowledged them, or the file/none output took them. */
    public long flowsSent() {
        return flowsSent.sum();
    }

    public long countersSent() {
        return countersSent.sum();
    }

    public long countersDropped() {
        return countersDropped.sum();
    }

    public long errors() {
        return errors.sum();
    }

    public long dropped(DropReason reason) {
        return dropped[reason.ordinal()].sum();
    }

    public long totalDropped() {
        long sum = 0;
        for (LongAdder a : dropped) sum += a.sum();
        return sum;
    }
}

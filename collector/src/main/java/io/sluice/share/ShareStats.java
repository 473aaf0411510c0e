package io.sluice.share;

import java.util.concurrent.atomic.LongAdder;

/**
 * The template share's counters (sluice_template_share_*_total). Every change this node learnt is
 * published, dropped (queue full) or an error; every record read is consumed and then exactly one of
 * applied, ignored_own, duplicate, conflict (older than the known definition) or error.
 */
public final class ShareStats {
    final LongAdder published = new LongAdder();
    final LongAdder publishDropped = new LongAdder();
    final LongAdder publishErrors = new LongAdder();
    final LongAdder consumed = new LongAdder();
    final LongAdder applied = new LongAdder();
    final LongAdder ignoredOwn = new LongAdder();
    final LongAdder duplicates = new LongAdder();
    final LongAdder conflicts = new LongAdder();
    final LongAdder consumeErrors = new LongAdder();
    /** Bytes of keys, values and headers published (the Kafka cost of sharing). */
    final LongAdder publishedBytes = new LongAdder();

    public long published() { return published.sum(); }
    public long publishDropped() { return publishDropped.sum(); }
    public long publishErrors() { return publishErrors.sum(); }
    public long consumed() { return consumed.sum(); }
    public long applied() { return applied.sum(); }
    public long ignoredOwn() { return ignoredOwn.sum(); }
    public long duplicates() { return duplicates.sum(); }
    public long conflicts() { return conflicts.sum(); }
    public long consumeErrors() { return consumeErrors.sum(); }
    public long publishedBytes() { return publishedBytes.sum(); }
}

package io.sluice.decode;

/**
 * Well-formed parts of a datagram that sluice does not decode (an sFlow sample or flow record of a
 * format it has no decoder for, a sampled header of a link type it does not parse, a reserved
 * NetFlow/IPFIX set id), counted by kind and sFlow {@code (enterprise, format)}. They are not errors: a
 * healthy host-sFlow agent sends several per datagram, and an alert on decode errors must not fire for
 * them. One instance per worker thread (plain fields, single writer, read at scrape time).
 *
 * <p>Bounded: at most {@link #SLOTS} distinct (kind, enterprise, format) keys get their own counter;
 * the rest are counted under {@link #OTHER} so that a hostile sender cannot grow the scrape.
 */
public final class SkippedRecords {
    /** What was skipped: the {@code kind} label. */
    public enum Kind {
        SFLOW_SAMPLE("sflow_sample"),
        SFLOW_FLOW_RECORD("sflow_flow_record"),
        SFLOW_HEADER_PROTOCOL("sflow_header_protocol"),
        NETFLOW_SET("netflow_set");

        public final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** Distinct keys with their own counter per worker. */
    public static final int SLOTS = 32;
    /** The data format given to the overflow counter (enterprise label "other"). */
    public static final int OTHER = -1;

    private final long[] keys = new long[SLOTS + 1];
    private final long[] counts = new long[SLOTS + 1];
    private int used;

    public SkippedRecords() {
        keys[SLOTS] = key(Kind.SFLOW_SAMPLE, OTHER);
    }

    /**
     * Counts one skipped part. {@code dataFormat} is sFlow's {@code enterprise << 12 | format} (for a
     * header protocol or a NetFlow set id: the number itself, enterprise 0).
     */
    public void skip(Kind kind, int dataFormat) {
        long k = key(kind, dataFormat);
        for (int i = 0; i < used; i++) { // a handful of keys in practice: a scan beats hashing
            if (keys[i] == k) {
                counts[i]++;
                return;
            }
        }
        if (used < SLOTS) {
            keys[used] = k;
            counts[used]++;
            used++; // published after the key (a scrape racing it may miss this one count: read again later)
            return;
        }
        counts[SLOTS]++;
    }

    /** Keys in use (the overflow slot, index {@link #SLOTS}, is read by {@link #overflow}). */
    public int used() {
        return used;
    }

    public Kind kind(int slot) {
        return Kind.values()[(int) (keys[slot] >>> 32)];
    }

    /** sFlow enterprise of slot {@code slot}. */
    public int enterprise(int slot) {
        return (int) keys[slot] >>> 12;
    }

    /** sFlow format (or header protocol / set id) of slot {@code slot}. */
    public int format(int slot) {
        return (int) keys[slot] & 0xFFF;
    }

    public long count(int slot) {
        return counts[slot];
    }

    /** Skipped parts whose key found no free slot. */
    public long overflow() {
        return counts[SLOTS];
    }

    /** Every skipped part. */
    public long total() {
        long sum = counts[SLOTS];
        for (int i = 0; i < used; i++) sum += counts[i];
        return sum;
    }

    /** Count of one exact key (tests, JSON summaries). */
    public long count(Kind kind, int dataFormat) {
        long k = key(kind, dataFormat);
        for (int i = 0; i < used; i++) if (keys[i] == k) return counts[i];
        return 0;
    }

    private static long key(Kind kind, int dataFormat) {
        return ((long) kind.ordinal() << 32) | (dataFormat & 0xFFFFFFFFL);
    }
}

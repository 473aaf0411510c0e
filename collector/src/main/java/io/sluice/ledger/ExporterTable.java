package io.sluice.ledger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The exporters sluice has heard from, shared by every worker of every listener: an open-addressing
 * table keyed by the source address bytes, read without locks (an exporter is found with a hash and a
 * byte compare, no allocation) and grown only by inserting a new exporter with a CAS. At most
 * {@code cap} exporters get their own entry (and their own metric series); datagrams of any further
 * source are counted under one {@code "other"} entry, so that a spoofed-source flood cannot grow the
 * memory or the scrape. Entries are never removed: a silent exporter keeps its series (its last-seen
 * time tells it went silent).
 */
public final class ExporterTable {
    public static final String OTHER = "other";

    private final int cap;
    private final AtomicReferenceArray<ExporterEntry> slots;
    private final int mask;
    private final AtomicInteger size = new AtomicInteger();
    private final ExporterEntry other;

    /**
     * @param cap exporters with their own entry (0: every exporter is "other")
     * @param reorderWindow how long a sequence gap stays open for late arrivals (see {@link SequenceSpace})
     */
    public ExporterTable(int cap, java.time.Duration reorderWindow) {
        this.cap = cap;
        int n = Integer.highestOneBit(Math.max(2, cap) * 2 - 1) << 1; // power of two, at least 2 * cap
        this.slots = new AtomicReferenceArray<>(n);
        this.mask = n - 1;
        this.other = new ExporterEntry(new byte[16], 0, OTHER, reorderWindow.toNanos());
        this.window = reorderWindow.toNanos();
    }

    private final long window;

    /** The entry of the exporter at {@code address[0, length)} (4 or 16 bytes); "other" past the cap. */
    public ExporterEntry lookup(byte[] address, int length) {
        int i = hash(address, length) & mask;
        while (true) {
            ExporterEntry e = slots.get(i);
            if (e == null) {
                if (size.get() >= cap) return other;
                if (size.incrementAndGet() > cap) { // lost the race for the last places
                    size.decrementAndGet();
                    return other;
                }
                ExporterEntry created = new ExporterEntry(address, length, null, window);
                if (slots.compareAndSet(i, null, created)) return created;
                size.decrementAndGet(); // another worker took this slot: look at what it put there
                e = slots.get(i);
            }
            if (e.matches(address, length)) return e;
            i = (i + 1) & mask; // the table is at most half full: a free slot is near
        }
    }

    /** Exporters with their own entry, in no particular order, then "other" when it has seen any datagram. */
    public List<ExporterEntry> entries() {
        List<ExporterEntry> out = new ArrayList<>();
        for (int i = 0; i < slots.length(); i++) {
            ExporterEntry e = slots.get(i);
            if (e != null) out.add(e);
        }
        if (other.datagrams() > 0) out.add(other);
        return out;
    }

    /** Exporters with their own entry. */
    public int size() {
        return size.get();
    }

    public int cap() {
        return cap;
    }

    public ExporterEntry other() {
        return other;
    }

    private static int hash(byte[] a, int length) {
        int h = length;
        for (int i = 0; i < length; i++) h = h * 31 + a[i];
        return h ^ (h >>> 16) * 0x85EBCA6B;
    }
}

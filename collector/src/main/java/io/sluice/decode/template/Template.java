package io.sluice.decode.template;

/**
 * One parsed (options) template, immutable once built, so workers read it without locks.
 *
 * <p>Per field: the information element id (enterprise bit stripped), its enterprise number (0 for
 * IANA), its length in the template ({@link #VARIABLE} for variable length) and a decoder-assigned
 * {@code kind} (what the decoder does with the value, resolved once here instead of per record).
 */
public final class Template {
    /** Field length that announces a variable-length field (RFC 7011 section 7). */
    public static final int VARIABLE = 0xFFFF;

    public final int templateId;
    /** Options template (v9 set 1 / IPFIX set 3): its records describe the exporter, not flows. */
    public final boolean options;
    /** Number of leading scope fields (options templates only). */
    public final int scopeFieldCount;
    private final int[] elementIds;
    private final long[] enterprises;
    private final int[] lengths;
    private final int[] kinds;
    /** Smallest possible record: fixed lengths plus one length byte per variable field; always >= 1. */
    public final int minRecordLength;
    /** True when every field has a fixed length (records are then {@link #minRecordLength} long). */
    public final boolean fixedLength;
    /**
     * Per field {@code kind << 16 | length}: what the record loop needs, in one array read per field.
     * Shared with decoders (never written after construction).
     */
    public final int[] ops;
    /**
     * When the exporter last sent or used this template (receive time, epoch ns): the one mutable part, a
     * hint written racily by whichever worker saw it, read by the store's expiry and eviction. Written at
     * most once a second per template ({@link #touch}), so the hot path rarely writes a shared line.
     */
    private long lastSeenNs;
    /**
     * When this definition was first seen (its first {@link #touch}, epoch ns): for /templates. A
     * redefinition is a new Template, so it tells when the current definition arrived; an unchanged
     * refresh keeps it.
     */
    private long firstSeenNs;

    /** {@code kinds} must fit in 15 bits. */
    public Template(int templateId, boolean options, int scopeFieldCount, int[] elementIds, long[] enterprises,
                    int[] lengths, int[] kinds) {
        if (elementIds.length != lengths.length || elementIds.length != enterprises.length
                || elementIds.length != kinds.length) {
            throw new IllegalArgumentException("field arrays differ in length");
        }
        this.templateId = templateId;
        this.options = options;
        this.scopeFieldCount = scopeFieldCount;
        this.elementIds = elementIds;
        this.enterprises = enterprises;
        this.lengths = lengths;
        this.kinds = kinds;
        int min = 0;
        boolean fixed = true;
        for (int len : lengths) {
            if (len == VARIABLE) {
                min += 1;
                fixed = false;
            } else {
                min += len;
            }
        }
        this.minRecordLength = min;
        this.fixedLength = fixed;
        this.ops = new int[lengths.length];
        for (int i = 0; i < lengths.length; i++) ops[i] = (kinds[i] << 16) | (lengths[i] & 0xFFFF);
    }

    /**
     * Whether this template has exactly these fields (the first {@code count} of each array): exporters
     * re-send unchanged templates every few seconds, and an unchanged one need not be rebuilt or stored.
     */
    public boolean sameAs(boolean options, int scopeFieldCount, int count, int[] ids, long[] enterprises, int[] lengths) {
        if (this.options != options || this.scopeFieldCount != scopeFieldCount || elementIds.length != count) return false;
        for (int i = 0; i < count; i++) {
            if (elementIds[i] != ids[i] || this.lengths[i] != lengths[i] || this.enterprises[i] != enterprises[i]) {
                return false;
            }
        }
        return true;
    }

    /** Notes that the exporter sent or used this template at {@code nowNs}. */
    public void touch(long nowNs) {
        if (nowNs - lastSeenNs > 1_000_000_000L) {
            if (firstSeenNs == 0) firstSeenNs = nowNs; // the first touch always passes the test above
            lastSeenNs = nowNs;
        }
    }

    public long lastSeenNs() {
        return lastSeenNs;
    }

    /** When this definition was first seen (epoch ns), 0 before its first {@link #touch}. */
    public long firstSeenNs() {
        return firstSeenNs;
    }

    /**
     * Heap this template costs in the store, estimated from its layout (five per-field arrays: 24 bytes a
     * field, their headers, the object, its key and map node): the unit of the store's byte bounds.
     */
    public long footprintBytes() {
        return 256 + 24L * elementIds.length;
    }

    public int fieldCount() {
        return elementIds.length;
    }

    public int elementId(int i) {
        return elementIds[i];
    }

    public long enterprise(int i) {
        return enterprises[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    public int kind(int i) {
        return kinds[i];
    }
}

package io.sluice.decode.template;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One record of the template share topic (docs/scaling.md): what an exporter said, in the same
 * version-independent terms as a {@link TemplateSnapshot} entry (template id, scope count, per field:
 * element id, enterprise, length; or a sampling / time value), never a decoder's own field plan.
 *
 * <p>Key (32 bytes, the compaction key): format 1, kind, exporter address (16, IPv4 mapped), version,
 * observation domain / source id, id (template id, or sampler id; 0 for per-domain values). So a
 * redefinition replaces the old record and a withdrawal (a tombstone: no value) removes it.
 *
 * <p>Value: format 1, kind, the exporter's export time (unix ms, from the message header: the order of
 * conflicting definitions), the time the publishing node received it (unix ms, the tie-break), then the
 * template (options flag, scope count, field count, fields) or the value (8 bytes) and its rate source (1).
 * Which node published it travels in a record header, beside the value, so tombstones carry it too.
 */
public final class SharedRecord {
    public static final int TEMPLATE = 1;
    private static final int FORMAT = 1;
    static final int KEY_BYTES = 32;

    public final int kind;
    /** The store key of the record (template key, sampler key or per-domain key). */
    public final TemplateKey key;
    public final long exportMillis;
    public final long receivedMillis;
    /** A hash of what the exporter said (not the times): equal definitions from two nodes are one. 0 for a tombstone. */
    public final long fingerprint;
    private final TemplateSnapshot.Entry entry; // TEMPLATE with a value
    private final long value;
    private final int source;

    private SharedRecord(int kind, TemplateKey key, long exportMillis, long receivedMillis, long fingerprint,
                         TemplateSnapshot.Entry entry, long value, int source) {
        this.kind = kind;
        this.key = key;
        this.exportMillis = exportMillis;
        this.receivedMillis = receivedMillis;
        this.fingerprint = fingerprint;
        this.entry = entry;
        this.value = value;
        this.source = source;
    }

    public boolean tombstone() {
        return fingerprint == 0;
    }

    // ---- encoding ---------------------------------------------------------------------------------------

    /** The compaction key of a template or value. */
    public static byte[] key(int kind, TemplateKey k) {
        return ByteBuffer.allocate(KEY_BYTES).put((byte) FORMAT).put((byte) kind).putLong(k.addressHigh())
                .putLong(k.addressLow()).putShort((short) k.version()).putInt((int) k.domain()).putLong(k.id()).array();
    }

    /** The value of a learnt template. */
    public static byte[] templateValue(Template t, long exportMillis, long receivedMillis) {
        int n = t.fieldCount();
        ByteBuffer b = ByteBuffer.allocate(18 + 5 + n * 8).put((byte) FORMAT).put((byte) TEMPLATE)
                .putLong(exportMillis).putLong(receivedMillis)
                .put((byte) (t.options ? 1 : 0)).putShort((short) t.scopeFieldCount).putShort((short) n);
        for (int i = 0; i < n; i++) b.putShort((short) t.elementId(i)).putInt((int) t.enterprise(i)).putShort((short) t.length(i));
        return b.array();
    }

    /** The value of a sampling or time value ({@link SamplingTable#SAMPLER_RATE} and its siblings). */
    public static byte[] stateValue(int kind, long value, int source, long exportMillis, long receivedMillis) {
        return ByteBuffer.allocate(18 + 9).put((byte) FORMAT).put((byte) kind).putLong(exportMillis)
                .putLong(receivedMillis).putLong(value).put((byte) source).array();
    }

    /** What the exporter said in a value (its bytes after the two times), hashed; never 0. */
    public static long fingerprint(byte[] value) {
        long h = 0xcbf29ce484222325L;
        h = (h ^ value[1]) * 0x100000001b3L;
        for (int i = 18; i < value.length; i++) h = (h ^ value[i]) * 0x100000001b3L;
        return h == 0 ? 1 : h;
    }

    // ---- decoding ---------------------------------------------------------------------------------------

    /**
     * Reads a record; {@code value} null is a tombstone with the export time {@code tombstoneMillis}.
     *
     * @throws IllegalArgumentException not a record of this format (another writer, or a later format)
     */
    public static SharedRecord read(byte[] keyBytes, byte[] value, long tombstoneMillis) {
        if (keyBytes == null || keyBytes.length != KEY_BYTES || keyBytes[0] != FORMAT) {
            throw new IllegalArgumentException("not a template share key (format " + FORMAT + ")");
        }
        ByteBuffer k = ByteBuffer.wrap(keyBytes);
        int kind = k.get(1);
        if (kind < TEMPLATE || kind > SamplingTable.SYSTEM_INIT) throw new IllegalArgumentException("unknown kind " + kind);
        long hi = k.getLong(2), lo = k.getLong(10);
        int version = k.getShort(18) & 0xffff;
        long domain = Integer.toUnsignedLong(k.getInt(20));
        long id = k.getLong(24);
        if (version != 9 && version != 10) throw new IllegalArgumentException("version " + version);
        TemplateKey key = new TemplateKey().set(ByteBuffer.allocate(16).putLong(hi).putLong(lo).array(), 16, version, domain, id);
        if (value == null) return new SharedRecord(kind, key, tombstoneMillis, tombstoneMillis, 0, null, 0, 0);
        try {
            ByteBuffer v = ByteBuffer.wrap(value);
            if (v.get() != FORMAT || v.get() != kind) throw new IllegalArgumentException("value does not match its key");
            long exportMillis = v.getLong(), receivedMillis = v.getLong();
            long fp = fingerprint(value);
            if (kind == TEMPLATE) {
                if (id < 256 || id > 0xffff) throw new IllegalArgumentException("template id " + id);
                boolean options = v.get() != 0;
                int scope = v.getShort() & 0xffff, n = v.getShort() & 0xffff;
                if (n == 0 || n > 512 || scope > n || v.remaining() != n * 8) throw new IllegalArgumentException("bad field list");
                int[] ids = new int[n], lengths = new int[n];
                long[] enterprises = new long[n];
                for (int i = 0; i < n; i++) {
                    ids[i] = v.getShort() & 0xffff;
                    enterprises[i] = Integer.toUnsignedLong(v.getInt());
                    lengths[i] = v.getShort() & 0xffff;
                }
                return new SharedRecord(kind, key, exportMillis, receivedMillis, fp,
                        new TemplateSnapshot.Entry(hi, lo, version, domain, (int) id, options, scope, ids, enterprises, lengths), 0, 0);
            }
            long val = v.getLong();
            int src = v.get();
            if ((kind != SamplingTable.SYSTEM_INIT && val <= 0) || (kind != SamplingTable.SAMPLER_RATE && id != 0)) {
                throw new IllegalArgumentException("bad value");
            }
            return new SharedRecord(kind, key, exportMillis, receivedMillis, fp, null, val, src);
        } catch (java.nio.BufferUnderflowException e) {
            throw new IllegalArgumentException("truncated value", e);
        }
    }

    // ---- applying ---------------------------------------------------------------------------------------

    /**
     * Applies this record to {@code store}: a tombstone withdraws the template, a value is put (plain
     * numbers, as the snapshot restores them); a template is NOT stored here but returned as its
     * exporter's template-only message (source port 0), for the caller to decode through its decoders
     * (as the snapshot restore does: that also decodes the data sets parked for it). Null otherwise.
     */
    public TemplateMessage applyTo(TemplateStore store) {
        if (tombstone()) {
            if (kind == TEMPLATE) store.remove(key);
            return null;
        }
        SamplingTable s = store.sampling();
        switch (kind) {
            case TEMPLATE -> {
                return TemplateSnapshot.message(List.of(entry));
            }
            case SamplingTable.SAMPLER_RATE -> s.putSamplerRate(key, value, source);
            case SamplingTable.DOMAIN_RATE -> s.putDomainRate(key, value, source);
            case SamplingTable.SYSTEM_INIT -> s.putSystemInitMillis(key, value);
            default -> { }
        }
        return null;
    }

    /** Bytes of the template's fields on the wire (for figures). */
    public int fieldCount() {
        return entry == null ? 0 : entry.ids().length;
    }
}

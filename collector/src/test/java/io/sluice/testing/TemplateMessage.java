package io.sluice.testing;

import java.nio.ByteBuffer;

/**
 * The one builder of NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) messages for tests: a header, then sets
 * appended in order, each record written byte by byte by the test. Set and message lengths are filled
 * in by {@link #build()}; v9 sets can be padded to 32 bits ({@link #pad}). Field ids read best with
 * {@link io.sluice.decode.netflow.Ie}: {@code template(300, field(Ie.SOURCE_IPV4_ADDRESS, 4), ...)}.
 */
public final class TemplateMessage {
    private final int version;
    private final ByteBuffer b = ByteBuffer.allocate(65_535);
    private int setStart = -1;
    private int records;

    private TemplateMessage(int version) {
        this.version = version;
    }

    /** An IPFIX message: export time 1,700,000,100, sequence 7, observation domain {@code domain}. */
    public static TemplateMessage ipfix(long domain) {
        return ipfix(domain, 1_700_000_100L, 7);
    }

    public static TemplateMessage ipfix(long domain, long exportTimeSecs, long sequence) {
        TemplateMessage m = new TemplateMessage(10);
        m.b.putShort((short) 10).putShort((short) 0).putInt((int) exportTimeSecs).putInt((int) sequence).putInt((int) domain);
        return m;
    }

    /** A NetFlow v9 message: sysUptime, export time (unix s), sequence, source id. */
    public static TemplateMessage v9(long sysUptimeMs, long exportTimeSecs, long sequence, long sourceId) {
        TemplateMessage m = new TemplateMessage(9);
        m.b.putShort((short) 9).putShort((short) 0).putInt((int) sysUptimeMs).putInt((int) exportTimeSecs)
                .putInt((int) sequence).putInt((int) sourceId);
        return m;
    }

    /** A field specifier {id, length}. */
    public static int[] field(int id, int length) {
        return new int[] {id, length};
    }

    /** An enterprise field specifier {id, length, enterprise} (IPFIX only). */
    public static int[] field(int id, int length, long enterprise) {
        return new int[] {id, length, (int) enterprise};
    }

    /** Starts a set (ends the previous one). */
    public TemplateMessage set(int id) {
        end();
        setStart = b.position();
        b.putShort((short) id).putShort((short) 0);
        return this;
    }

    /** The template set of this version (IPFIX 2, v9 0) with one template record. */
    public TemplateMessage templateSet(int templateId, int[]... fields) {
        return set(version == 10 ? 2 : 0).template(templateId, 0, fields);
    }

    /** A (options, when {@code scopeCount > 0}) template record in the current set. */
    public TemplateMessage template(int id, int scopeCount, int[]... fields) {
        records++;
        if (version == 10) {
            b.putShort((short) id).putShort((short) fields.length);
            if (scopeCount > 0) b.putShort((short) scopeCount);
            for (int[] f : fields) {
                b.putShort((short) (f.length > 2 ? f[0] | 0x8000 : f[0])).putShort((short) f[1]);
                if (f.length > 2) b.putInt(f[2]);
            }
        } else {
            b.putShort((short) id);
            if (scopeCount > 0) {
                b.putShort((short) (scopeCount * 4)).putShort((short) ((fields.length - scopeCount) * 4));
            } else {
                b.putShort((short) fields.length);
            }
            for (int[] f : fields) b.putShort((short) f[0]).putShort((short) f[1]);
        }
        return this;
    }

    /** Template withdrawal records in the current set (RFC 7011 8.1: the id with a field count of 0). */
    public TemplateMessage withdraw(int... templateIds) {
        for (int id : templateIds) template(id, 0);
        return this;
    }

    /**
     * Ends the current set and appends {@code raw} as it is, lengths untouched: a set cut out of a real
     * datagram, trailing padding, or a set whose length lies.
     */
    public TemplateMessage bytes(byte[] raw) {
        end();
        b.put(raw);
        return this;
    }

    /** The message so far, positioned at its end: write a data record's bytes with it. */
    public ByteBuffer body() {
        return b;
    }

    /** Counts one data record in the v9 header's count (v9 counts records, not sets). */
    public TemplateMessage record() {
        records++;
        return this;
    }

    /** Zero bytes inside the current set until its length is a multiple of 4 (v9 "padding", RFC 3954 5.3). */
    public TemplateMessage pad() {
        while ((b.position() - setStart) % 4 != 0) b.put((byte) 0);
        return this;
    }

    /** {@code n} zero bytes in the current set. */
    public TemplateMessage zeros(int n) {
        b.put(new byte[n]);
        return this;
    }

    private void end() {
        if (setStart >= 0) b.putShort(setStart + 2, (short) (b.position() - setStart));
        setStart = -1;
    }

    public byte[] build() {
        end();
        if (version == 10) b.putShort(2, (short) b.position());
        else b.putShort(2, (short) records);
        byte[] out = new byte[b.position()];
        b.get(0, out);
        return out;
    }
}

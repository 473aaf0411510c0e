package io.sluice.output.spool;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * The layout of one spooled record in a segment file, and the scan that validates a segment:
 * <pre>
 *   int   payload length
 *   int   CRC32C of the payload
 *   payload: byte kind | int flows | long append time (ms since the epoch) | int key length (-1: no key) | key | value
 * </pre>
 * Big-endian. A record is valid when its length fits in what is left of the file and its checksum
 * matches; the first record that is not ends what can be read of the segment (a torn write at a crash,
 * or damage): the rest of that segment is skipped and counted once as corrupt.
 */
final class EntryCodec {
    static final int HEADER = 8;
    static final int FIXED = 1 + 4 + 8 + 4;

    private EntryCodec() {}

    static int size(byte[] key, byte[] value) {
        return HEADER + FIXED + (key == null ? 0 : key.length) + value.length;
    }

    /** Writes one record at the buffer's position (which must have {@link #size} bytes left). */
    static void write(ByteBuffer out, byte kind, int flows, long millis, byte[] key, byte[] value) {
        int start = out.position();
        int payload = FIXED + (key == null ? 0 : key.length) + value.length;
        out.putInt(payload).putInt(0);
        out.put(kind).putInt(flows).putLong(millis).putInt(key == null ? -1 : key.length);
        if (key != null) out.put(key);
        out.put(value);
        CRC32C crc = new CRC32C();
        crc.update(out.duplicate().position(start + HEADER).limit(start + HEADER + payload));
        out.putInt(start + 4, (int) crc.getValue());
    }

    /**
     * The record whose header starts at {@code at} in {@code buf} (which holds {@code available} bytes
     * from there, at least the header and payload length), or null when it is not valid.
     */
    static SpoolEntry decode(ByteBuffer buf, int at, long segment, long offset) {
        int payload = buf.getInt(at);
        if (payload < FIXED) return null;
        CRC32C crc = new CRC32C();
        crc.update(buf.duplicate().position(at + HEADER).limit(at + HEADER + payload));
        if ((int) crc.getValue() != buf.getInt(at + 4)) return null;
        int p = at + HEADER;
        byte kind = buf.get(p);
        int flows = buf.getInt(p + 1);
        long millis = buf.getLong(p + 5);
        int keyLength = buf.getInt(p + 13);
        if (keyLength < -1 || keyLength > payload - FIXED || flows < 1) return null;
        byte[] key = null;
        int q = p + FIXED;
        if (keyLength >= 0) {
            key = new byte[keyLength];
            buf.get(q, key);
            q += keyLength;
        }
        byte[] value = new byte[payload - FIXED - Math.max(0, keyLength)];
        buf.get(q, value);
        return new SpoolEntry(segment, offset, HEADER + payload, kind, flows, millis, key, value);
    }

    /** What a scan of a segment found: its valid records up to {@code validEnd}; {@code corrupt} when bytes follow that are not. */
    record Scan(long validEnd, long fileSize, int records, long flows, int recordsBefore, long flowsBefore, long firstMillis) {
        boolean corrupt() {
            return validEnd < fileSize;
        }
    }

    /**
     * Reads the segment through, checking every record; {@code recordsBefore}/{@code flowsBefore} count
     * those that start before {@code ackedUpTo} (already acknowledged per the cursor).
     */
    static Scan scan(Path file, long ackedUpTo) throws IOException {
        long size = Files.size(file);
        long pos = 0;
        int records = 0;
        int before = 0;
        long flows = 0;
        long flowsBefore = 0;
        long first = -1;
        try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 1 << 16))) {
            byte[] body = new byte[4096];
            ByteBuffer whole = null;
            while (size - pos >= HEADER + FIXED) {
                int payload = in.readInt();
                int crc = in.readInt();
                if (payload < FIXED || payload > size - pos - HEADER) break;
                if (body.length < payload) body = new byte[Math.max(payload, body.length * 2)];
                in.readFully(body, 0, payload);
                CRC32C c = new CRC32C();
                c.update(body, 0, payload);
                if ((int) c.getValue() != crc) break;
                whole = ByteBuffer.wrap(body, 0, payload);
                int n = whole.getInt(1);
                int keyLength = whole.getInt(13);
                if (n < 1 || keyLength < -1 || keyLength > payload - FIXED) break;
                if (first < 0) first = whole.getLong(5);
                if (pos < ackedUpTo) {
                    before++;
                    flowsBefore += n;
                }
                records++;
                flows += n;
                pos += HEADER + payload;
            }
        } catch (EOFException e) {
            // shorter than it said: the tail is torn
        }
        return new Scan(pos, size, records, flows, before, flowsBefore, first);
    }
}

package io.sluice.capture;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A capture's bytes read forward once, through one fixed buffer, with the absolute offset (a long: captures
 * are larger than 4 GiB). It returns as soon as the bytes asked for are there, so a pipe ({@code tcpdump -w -})
 * is decoded as it arrives, and skips with {@link InputStream#skip}, which is a seek on a file.
 */
final class CaptureInput implements Closeable {
    private final InputStream in;
    private final String source;
    private final byte[] buffer = new byte[1 << 16];
    private int position;
    private int limit;
    /** Offset in the input of buffer[0]. */
    private long bufferStart;

    CaptureInput(InputStream in, String source) {
        this.in = in;
        this.source = source;
    }

    String source() {
        return source;
    }

    /** Offset of the next byte to be read. */
    long offset() {
        return bufferStart + position;
    }

    /** Buffers at least {@code n} bytes (n ≤ 64 KiB) unless the input ends first; returns how many are buffered. */
    int ensure(int n) throws IOException {
        if (limit - position >= n) return limit - position;
        if (position > 0) {
            System.arraycopy(buffer, position, buffer, 0, limit - position);
            bufferStart += position;
            limit -= position;
            position = 0;
        }
        while (limit < n) {
            int r = in.read(buffer, limit, buffer.length - limit);
            if (r < 0) break;
            limit += r;
        }
        return limit;
    }

    /** The buffered bytes from the read position (valid until the next call); see {@link #ensure}. */
    byte[] buffer() {
        return buffer;
    }

    int bufferPosition() {
        return position;
    }

    /** Whether the input has ended exactly here. */
    boolean atEnd() throws IOException {
        return ensure(1) == 0;
    }

    /**
     * Reads exactly {@code len} bytes into dst; returns false if the input ended before the first of them,
     * throws if it ended after some (a capture cut inside a record).
     */
    boolean readFully(byte[] dst, int off, int len, String what) throws IOException {
        long start = offset();
        int done = 0;
        while (done < len) {
            if (position == limit) {
                int r = refill();
                if (r < 0) {
                    if (done == 0 && len > 0) return false;
                    throw new CaptureFormatException(source, start,
                            "the input ends inside " + what + " (" + done + " of " + len + " bytes): truncated capture");
                }
            }
            int n = Math.min(len - done, limit - position);
            System.arraycopy(buffer, position, dst, off + done, n);
            position += n;
            done += n;
        }
        return true;
    }

    /** Skips exactly n bytes (any size: a seek on a file); throws if the input ends first. */
    void skipFully(long n, String what) throws IOException {
        long start = offset();
        long left = n;
        int buffered = Math.min(limit - position, (int) Math.min(left, Integer.MAX_VALUE));
        position += buffered;
        left -= buffered;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                // skip() may stop short at the end or on a pipe: a read tells which.
                bufferStart += limit;
                position = limit = 0;
                int r = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (r < 0) {
                    throw new CaptureFormatException(source, start, "the input ends inside " + what
                            + " (" + (n - left) + " of " + n + " bytes): truncated capture");
                }
                limit = r;
                position = r;
                left -= r;
            } else {
                bufferStart += limit + s;
                position = limit = 0;
                left -= s;
            }
        }
    }

    private int refill() throws IOException {
        bufferStart += limit;
        position = limit = 0;
        int r = in.read(buffer, 0, buffer.length);
        if (r > 0) limit = r;
        return r;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}

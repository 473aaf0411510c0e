package io.sluice.output.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Reads records of one segment at a time through a 1 MiB buffer (one read per many records, not two
 * per record); checks each as {@link EntryCodec} says. Used under the store's lock.
 */
final class SegmentReader {
    private static final int READ_BUFFER = 1 << 20;

    private ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER);
    private long bufferStart = -1;
    private Segment segment;
    private FileChannel channel;

    /** The record at {@code pos} of {@code s}, or null when it fails its check. */
    SpoolEntry entryAt(Segment s, long pos) throws IOException {
        if (s.validEnd - pos < EntryCodec.HEADER + EntryCodec.FIXED) return null;
        if (!buffered(s, pos, EntryCodec.HEADER)) return null;
        int payload = buffer.getInt((int) (pos - bufferStart));
        if (payload < EntryCodec.FIXED || payload > s.validEnd - pos - EntryCodec.HEADER) return null;
        if (!buffered(s, pos, EntryCodec.HEADER + payload)) return null;
        return EntryCodec.decode(buffer, (int) (pos - bufferStart), s.id, pos);
    }

    /** Makes [pos, pos + n) of the segment available in the buffer. */
    private boolean buffered(Segment s, long pos, int n) throws IOException {
        if (s != segment) {
            close();
            segment = s;
        }
        if (bufferStart >= 0 && pos >= bufferStart && pos + n <= bufferStart + buffer.limit()) return true;
        if (channel == null || !channel.isOpen()) channel = FileChannel.open(s.path, StandardOpenOption.READ);
        if (n > buffer.capacity()) buffer = ByteBuffer.allocate(n);
        buffer.clear();
        buffer.limit((int) Math.min(buffer.capacity(), s.validEnd - pos));
        long at = pos;
        while (buffer.hasRemaining()) {
            int r = channel.read(buffer, at);
            if (r < 0) break;
            at += r;
        }
        buffer.flip();
        bufferStart = pos;
        return buffer.limit() >= n;
    }

    /** Forgets the segment (it moves on, or the file is deleted). */
    void close() throws IOException {
        if (channel != null) channel.close();
        channel = null;
        segment = null;
        bufferStart = -1;
    }
}

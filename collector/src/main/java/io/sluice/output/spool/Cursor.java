package io.sluice.output.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Where the acknowledged prefix of the spool ends (segment id, byte offset), so a restart does not send
 * again what Kafka already has. Written to a temporary file, fsync'd and renamed over the old one; a
 * missing or damaged cursor means "from the first segment" (records are sent again, never lost).
 */
final class Cursor {
    private Cursor() {}

    static long[] read(Path file) throws IOException {
        try {
            byte[] b = Files.readAllBytes(file);
            if (b.length != 20) return new long[] {0, 0};
            ByteBuffer buf = ByteBuffer.wrap(b);
            CRC32C crc = new CRC32C();
            crc.update(b, 0, 16);
            long segment = buf.getLong(0);
            long offset = buf.getLong(8);
            if ((int) crc.getValue() != buf.getInt(16) || segment < 0 || offset < 0) return new long[] {0, 0};
            return new long[] {segment, offset};
        } catch (NoSuchFileException e) {
            return new long[] {0, 0};
        }
    }

    static void write(Path file, long segment, long offset) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(20).putLong(segment).putLong(offset);
        CRC32C crc = new CRC32C();
        crc.update(buf.array(), 0, 16);
        buf.putInt((int) crc.getValue()).flip();
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(false);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}

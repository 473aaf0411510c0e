package io.sluice.output.spool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segment store on a real directory: what is appended is read back in order across reopens, damage is found, the bound holds. */
class SpoolStoreTest {
    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return i % 7 == 0 ? null : ("exporter-" + (i % 5)).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int i) {
        byte[] v = new byte[40 + i % 90];
        for (int j = 0; j < v.length; j++) v[j] = (byte) (i * 31 + j);
        ByteBuffer.wrap(v).putInt(0, i);
        return v;
    }

    private static int index(SpoolEntry e) {
        return ByteBuffer.wrap(e.value()).getInt(0);
    }

    private static void assertRecord(int i, SpoolEntry e) {
        assertEquals(i, index(e), "record order");
        assertArrayEquals(value(i), e.value());
        if (key(i) == null) assertNull(e.key());
        else assertArrayEquals(key(i), e.key());
        assertEquals(1 + i % 3, e.flows());
    }

    private static void append(SpoolStore s, int from, int to) {
        for (int i = from; i < to; i++) assertTrue(s.append(SpoolEntry.FLOWS, 1 + i % 3, key(i), value(i)));
    }

    private static List<SpoolEntry> readAll(SpoolStore s) {
        List<SpoolEntry> all = new ArrayList<>();
        List<SpoolEntry> some;
        while (!(some = s.read(100, 1 << 20)).isEmpty()) all.addAll(some);
        return all;
    }

    private long segments() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).count();
        }
    }

    private List<Path> segmentFiles() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    private SpoolStore open(long maxBytes, long segmentBytes) throws Exception {
        return SpoolStore.open(dir, new SpoolSettings(dir.toString(), maxBytes, segmentBytes));
    }

    @Test
    void appendedRecordsAreReadInOrderAcknowledgedAndResumedAfterAReopen() throws Exception {
        try (SpoolStore s = open(1 << 30, 16 << 10)) {
            append(s, 0, 1000);
            assertEquals(1000, s.records());
            assertTrue(segments() > 3, "records spread over several segments: " + segments());
            List<SpoolEntry> first = s.read(300, Long.MAX_VALUE);
            assertEquals(300, first.size());
            for (int i = 0; i < 300; i++) assertRecord(i, first.get(i));
            for (SpoolEntry e : first) s.ack(e);
            assertEquals(700, s.records());
        }
        try (SpoolStore s = open(1 << 30, 16 << 10)) {
            assertEquals(700, s.recoveredRecords(), "the acknowledged prefix is not read again (cursor)");
            append(s, 1000, 1100); // appended after the reopen: after what was there
            List<SpoolEntry> rest = readAll(s);
            assertEquals(800, rest.size());
            for (int i = 0; i < 800; i++) assertRecord(300 + i, rest.get(i));
            for (int i = rest.size() - 1; i >= 0; i--) s.ack(rest.get(i)); // out of order, as Kafka's partitions answer
            assertEquals(0, s.records());
            assertEquals(0, s.flows());
            assertEquals(0, s.bytes(), "a drained spool takes no disk");
            assertEquals(0, segments());
            assertEquals(-1, s.oldestMillis());
        }
        try (SpoolStore s = open(1 << 30, 16 << 10)) {
            assertEquals(0, s.recoveredRecords());
            assertTrue(s.read(10, 1 << 20).isEmpty());
            append(s, 0, 20); // the drained spool's cursor points into a deleted segment: a new one must not take its id
        }
        try (SpoolStore s = open(1 << 30, 16 << 10)) {
            assertEquals(20, s.recoveredRecords(), "records appended after a drain are all there after a reopen");
            List<SpoolEntry> all = readAll(s);
            for (int i = 0; i < 20; i++) assertRecord(i, all.get(i));
        }
    }

    @Test
    void aSegmentIsDeletedOnlyWhenEveryRecordInItIsAcknowledged() throws Exception {
        try (SpoolStore s = open(1 << 30, 4096)) {
            append(s, 0, 200);
            List<SpoolEntry> all = readAll(s);
            long segs = segments();
            SpoolEntry held = all.get(5); // in the first segment
            for (SpoolEntry e : all) if (e != held) s.ack(e);
            assertEquals(1, s.records());
            // the segment holding it stays, and the one being written (it goes when the spool drains or it is closed)
            assertEquals(2, segments(), "only the segment with the unacknowledged record and the active one are left, of " + segs);
            assertEquals(held.segment(), Long.parseLong(segmentFiles().get(0).getFileName().toString().substring(0, 20)));
        }
        try (SpoolStore s = open(1 << 30, 4096)) { // the cursor stopped at the held record: from there on is sent again
            List<SpoolEntry> again = readAll(s);
            assertRecord(5, again.get(0));
            assertTrue(again.size() < 200);
            for (SpoolEntry e : again) s.ack(e);
            assertEquals(0, segments());
        }
    }

    @Test
    void aDamagedRecordIsCountedAndTheRestOfItsSegmentSkipped() throws Exception {
        try (SpoolStore s = open(1 << 30, 1 << 20)) {
            append(s, 0, 100);
        }
        Path seg = segmentFiles().getFirst();
        long at = 0;
        for (int i = 0; i < 50; i++) at += EntryCodec.size(key(i), value(i));
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at + 30);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, at + 30); // a bit flipped inside record 50's payload
        }
        try (SpoolStore s = open(1 << 30, 1 << 20)) {
            assertEquals(1, s.corrupt());
            assertEquals(50, s.recoveredRecords());
            append(s, 100, 110); // goes to a new segment
            List<SpoolEntry> all = readAll(s);
            assertEquals(60, all.size());
            for (int i = 0; i < 50; i++) assertRecord(i, all.get(i));
            for (int i = 0; i < 10; i++) assertRecord(100 + i, all.get(50 + i));
            for (SpoolEntry e : all) s.ack(e);
            assertEquals(0, segments(), "the damaged segment goes once its valid records are acknowledged");
        }
    }

    @Test
    void aTornTailIsCountedAndSkippedAndAppendsGoOn() throws Exception {
        try (SpoolStore s = open(1 << 30, 1 << 20)) {
            append(s, 0, 100);
        }
        Path seg = segmentFiles().getFirst();
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 5); // the process died in the middle of the last write
        }
        try (SpoolStore s = open(1 << 30, 1 << 20)) {
            assertEquals(1, s.corrupt());
            assertEquals(99, s.recoveredRecords());
            append(s, 100, 120);
            List<SpoolEntry> all = readAll(s);
            assertEquals(119, all.size());
            assertRecord(98, all.get(98));
            assertRecord(100, all.get(99));
        }
        // garbage after the last record, and a file holding only part of a header
        Files.write(segmentFiles().getLast(), new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
        Files.write(dir.resolve(String.format("%020d.seg", 999)), new byte[] {0, 0, 0});
        try (SpoolStore s = open(1 << 30, 1 << 20)) {
            assertEquals(3, s.corrupt(), "each damaged segment counted once per open (the torn one is still there: it has pending records)");
            assertEquals(119, s.recoveredRecords(), "the cursor was never persisted past the start: all is read again");
        }
    }

    @Test
    void theSizeBoundRefusesExactlyWhatDoesNotFit() throws Exception {
        byte[] v = new byte[100];
        int size = EntryCodec.size(null, v);
        long max = 50L * size + size / 2;
        try (SpoolStore s = open(max, 10L * size)) {
            int accepted = 0;
            int refused = 0;
            for (int i = 0; i < 80; i++) {
                if (s.append(SpoolEntry.FLOWS, 1, null, v)) accepted++;
                else refused++;
            }
            assertEquals(50, accepted);
            assertEquals(30, refused);
            assertEquals(50L * size, s.bytes());
            assertTrue(s.bytes() <= max);
            assertFalse(s.append(SpoolEntry.FLOWS, 1, null, v));
            // acknowledging a whole segment gives its room back
            List<SpoolEntry> first = s.read(10, Long.MAX_VALUE);
            for (SpoolEntry e : first) s.ack(e);
            s.read(1, Long.MAX_VALUE); // the reader moves into the next segment: the first one goes
            assertEquals(40L * size, s.bytes());
            for (int i = 0; i < 10; i++) assertTrue(s.append(SpoolEntry.FLOWS, 1, null, v));
            assertFalse(s.append(SpoolEntry.FLOWS, 1, null, v));
        }
    }

    @Test
    void aSecondOpenerIsRefusedWhileTheFirstHoldsTheDirectory() throws Exception {
        try (SpoolStore s = open(1 << 30, 1 << 20)) {
            append(s, 0, 3);
            SpoolLockedException e = assertThrows(SpoolLockedException.class, () -> open(1 << 30, 1 << 20));
            assertTrue(e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
        }
        try (SpoolStore s = open(1 << 30, 1 << 20)) {
            assertEquals(3, s.recoveredRecords(), "released at close: the next opener has it");
        }
    }

    /** An interrupted appender closes the segment's channel under the store (NIO does): the next write reopens it, nothing is lost. */
    @Test
    void aChannelClosedByAnInterruptIsReopenedAndNoAcceptedRecordIsLost() throws Exception {
        try (SpoolStore s = open(1 << 30, 1 << 20)) {
            append(s, 0, 10);
            s.flush();
            boolean[] accepted = new boolean[1];
            Thread t = Thread.ofPlatform().start(() -> {
                Thread.currentThread().interrupt();
                byte[] big = new byte[300 << 10]; // larger than the write buffer: written at once, by this interrupted thread
                accepted[0] = s.append(SpoolEntry.FLOWS, 1, null, big);
            });
            t.join();
            assertFalse(accepted[0], "the interrupted write failed: not spooled");
            append(s, 10, 20);
            s.flush();
            List<SpoolEntry> all = readAll(s);
            assertEquals(20, all.size());
            for (int i = 0; i < 20; i++) assertRecord(i, all.get(i));
            assertEquals(20, s.records());
        }
        try (SpoolStore s = open(1 << 30, 1 << 20)) {
            assertEquals(20, s.recoveredRecords());
            assertEquals(0, s.corrupt());
        }
    }

    /** Another process holds the lock (an OS lock); killed with SIGKILL, the lock is free and what it wrote is replayed. */
    @Test
    void aDirectoryLeftByAKilledProcessIsTakenOverWithItsRecords() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), SpoolWriterMain.class.getName(), dir.toString(), "500")
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("written")) {
                // logging of the child
            }
            assertEquals("written", line);
            SpoolLockedException e = assertThrows(SpoolLockedException.class, () -> open(1 << 30, 1 << 20));
            assertTrue(e.getMessage().contains("pid " + child.pid()), e.getMessage());
            child.destroyForcibly(); // SIGKILL: no close, no fsync
            child.waitFor();
        } finally {
            child.destroyForcibly();
        }
        try (SpoolStore s = open(1 << 30, 1 << 20)) {
            assertEquals(500, s.recoveredRecords());
            List<SpoolEntry> all = readAll(s);
            for (int i = 0; i < 500; i++) assertRecord(i, all.get(i));
        }
    }

    /** The child of {@link #aDirectoryLeftByAKilledProcessIsTakenOverWithItsRecords}: appends, writes out (no close), waits to be killed. */
    public static final class SpoolWriterMain {
        public static void main(String[] args) throws Exception {
            Path d = Path.of(args[0]);
            SpoolStore s = SpoolStore.open(d, new SpoolSettings(d.toString(), 1 << 30, 1 << 20));
            append(s, 0, Integer.parseInt(args[1]));
            s.flush();
            System.out.println("written");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }
}

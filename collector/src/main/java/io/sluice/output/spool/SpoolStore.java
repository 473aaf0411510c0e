package io.sluice.output.spool;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An append-only store of Kafka records in one directory: segment files {@code <id>.seg} (ids grow),
 * each record checksummed ({@link EntryCodec}), bounded by the bytes of all segments together. One
 * reader reads the records in order; each is acknowledged once Kafka has it, and a segment is deleted
 * when every record in it is acknowledged (and no more is written to it).
 *
 * <p>Durability: appends go to a 256 KiB buffer written to the file when full, when the reader reaches
 * it and at each {@link #flush} (the replay thread calls it every ~20 ms), so a killed process loses at
 * most that buffer; {@link #sync} (once a second) fsyncs the segment being written and persists the
 * cursor (where the acknowledged prefix ends), and a segment is fsync'd when it is closed. A restart reads
 * from the cursor: records acknowledged after the last cursor write are sent again (see docs/spool.md).
 *
 * <p>{@code spool.lock} is held (an OS file lock, released when the process dies) while the store is
 * open, so two live processes never share a directory: {@link #open} refuses with {@link SpoolLockedException}.
 * Thread-safe: every method is synchronized (appends come from the workers and the producer's I/O thread).
 */
public final class SpoolStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SpoolStore.class);
    static final String LOCK = "spool.lock";
    static final String CURSOR = "cursor";
    private static final int WRITE_BUFFER = 256 << 10;
    private static final long WARN_EVERY_NANOS = 10_000_000_000L;

    private final Path dir;
    private final SpoolSettings settings;
    private final DirectoryLock lock;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(WRITE_BUFFER);
    private final SegmentReader reader = new SegmentReader();
    private Segment active;
    private FileChannel activeChannel;
    private Segment readSegment;
    private long readPos;
    private long nextId;
    private long totalBytes;
    private long pendingRecords;
    private long pendingFlows;
    private final long recoveredRecords;
    private final long recoveredFlows;
    private long corrupt;
    /** Read, not yet acknowledged, in read order; acknowledged ones leave from the head. */
    private final ArrayDeque<SpoolEntry> unacked = new ArrayDeque<>();
    private final Set<SpoolEntry> ackedAhead = Collections.newSetFromMap(new IdentityHashMap<>());
    private long cursorSegment;
    private long cursorOffset;
    private boolean cursorDirty;
    private boolean closed;

    private SpoolStore(Path dir, SpoolSettings settings, DirectoryLock lock) throws IOException {
        this.dir = dir;
        this.settings = settings;
        this.lock = lock;
        long[] cursor = Cursor.read(dir.resolve(CURSOR));
        cursorSegment = cursor[0];
        cursorOffset = cursor[1];
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = new ArrayList<>(s.filter(p -> p.getFileName().toString().matches("\\d{20}\\.seg")).sorted().toList());
        }
        for (Path f : files) {
            long id = Long.parseLong(f.getFileName().toString().substring(0, 20));
            nextId = Math.max(nextId, id + 1);
            if (id < cursorSegment) { // every record in it was acknowledged before the cursor moved on
                Files.delete(f);
                continue;
            }
            EntryCodec.Scan scan = EntryCodec.scan(f, id == cursorSegment ? cursorOffset : 0);
            if (scan.corrupt()) {
                corrupt++;
                log.warn("spool segment {}: a record at byte {} fails its check (torn write or damage): the {} bytes after it are skipped; "
                        + "{} valid records before it are kept", f, scan.validEnd(), scan.fileSize() - scan.validEnd(), scan.records());
            }
            Segment seg = new Segment(id, f);
            seg.size = scan.fileSize();
            seg.validEnd = scan.validEnd();
            seg.records = scan.records();
            seg.flows = scan.flows();
            seg.acked = scan.recordsBefore();
            seg.read = scan.recordsBefore();
            seg.readFlows = scan.flowsBefore();
            seg.sealed = true;
            segments.put(id, seg);
            totalBytes += seg.size;
            pendingRecords += seg.records - seg.acked;
            pendingFlows += seg.flows - scan.flowsBefore();
        }
        // never reuse the cursor's segment id: a new segment under it would count as acknowledged up to the offset
        nextId = Math.max(nextId, cursorSegment + 1);
        recoveredRecords = pendingRecords;
        recoveredFlows = pendingFlows;
        if (!segments.isEmpty()) {
            readSegment = segments.firstEntry().getValue();
            readPos = readSegment.id == cursorSegment ? Math.min(cursorOffset, readSegment.validEnd) : 0;
        }
        for (Segment s : new ArrayList<>(segments.values())) maybeDelete(s);
    }

    /** Opens (creating it if needed) and locks the directory, and finds what a previous process left in it. */
    public static SpoolStore open(Path dir, SpoolSettings settings) throws IOException {
        Files.createDirectories(dir);
        DirectoryLock lock = DirectoryLock.acquire(dir.resolve(LOCK));
        try {
            return new SpoolStore(dir, settings, lock);
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /**
     * Appends one record; false when it does not fit in {@code max-bytes} (the caller counts it dropped).
     */
    public synchronized boolean append(byte kind, int flows, byte[] key, byte[] value) {
        if (closed) return false;
        int size = EntryCodec.size(key, value);
        if (totalBytes + size > settings.maxBytes()) return false;
        try {
            if (active == null || (active.size > 0 && active.size + size > settings.segmentBytes())) roll();
            long millis = System.currentTimeMillis();
            if (size > writeBuffer.remaining()) flushBuffer();
            if (size > writeBuffer.capacity()) {
                ByteBuffer b = ByteBuffer.allocate(size);
                EntryCodec.write(b, kind, flows, millis, key, value);
                b.flip();
                writeAt(b, active.validEnd);
                active.validEnd += size;
            } else {
                EntryCodec.write(writeBuffer, kind, flows, millis, key, value);
            }
            active.size += size;
            active.records++;
            active.flows += flows;
            totalBytes += size;
            pendingRecords++;
            pendingFlows += flows;
            return true;
        } catch (IOException e) {
            writeFailed(e); // disk full, I/O error: the record is not spooled (the caller counts it spool_full)
            return false;
        }
    }

    private long lastWriteWarnNanos = System.nanoTime() - WARN_EVERY_NANOS;

    /** One WARN per 10 s, not one per record, when the disk refuses writes. */
    private void writeFailed(IOException e) {
        long now = System.nanoTime();
        if (now - lastWriteWarnNanos < WARN_EVERY_NANOS) return;
        lastWriteWarnNanos = now;
        log.warn("spool: cannot write to {} (records that do not fit are dropped as spool_full): {}", dir, e.toString());
    }

    /**
     * Writes at a position derived from the bookkeeping, not the channel's own: after a failed or partial
     * write the next one overwrites what it left. A channel closed under us (an interrupted thread) is reopened.
     */
    private void writeAt(ByteBuffer b, long at) throws IOException {
        if (!activeChannel.isOpen()) activeChannel = FileChannel.open(active.path, StandardOpenOption.WRITE);
        while (b.hasRemaining()) at += activeChannel.write(b, at);
    }

    /** Closes the segment being written (written out and fsync'd) and starts the next. */
    private void roll() throws IOException {
        if (active != null) {
            flushBuffer();
            activeChannel.force(false);
            activeChannel.close();
            active.sealed = true;
            Segment old = active;
            active = null;
            maybeDelete(old);
        }
        Segment s = new Segment(nextId++, dir.resolve(String.format("%020d.seg", nextId - 1)));
        activeChannel = FileChannel.open(s.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        segments.put(s.id, s);
        active = s;
        if (readSegment == null) {
            readSegment = s;
            readPos = 0;
        }
    }

    private void flushBuffer() throws IOException {
        int end = writeBuffer.position();
        if (end == 0) return;
        writeBuffer.flip();
        try {
            writeAt(writeBuffer, active.validEnd);
        } catch (IOException e) {
            writeBuffer.limit(writeBuffer.capacity()).position(end); // all of it kept, written again next time
            throw e;
        }
        active.validEnd += end;
        writeBuffer.clear();
    }

    /**
     * The next records in order, at most {@code maxRecords} and about {@code maxBytes}; empty when the
     * reader has reached the end. Each must be {@link #ack acknowledged} once Kafka has it (or read again
     * after a restart); records are handed out once per process.
     */
    public synchronized List<SpoolEntry> read(int maxRecords, long maxBytes) {
        List<SpoolEntry> out = new ArrayList<>();
        long bytes = 0;
        try {
            while (out.size() < maxRecords && bytes < maxBytes && readSegment != null && !closed) {
                Segment s = readSegment;
                if (s == active && readPos >= s.validEnd && writeBuffer.position() > 0) flushBuffer();
                if (readPos >= s.validEnd) {
                    if (!s.sealed) break; // caught up with the writer
                    Map.Entry<Long, Segment> next = segments.higherEntry(s.id);
                    if (next == null) break;
                    moveReader(next.getValue());
                    maybeDelete(s);
                    continue;
                }
                SpoolEntry e = entryAt(s, readPos);
                if (e == null) {
                    corrupt++;
                    log.warn("spool segment {}: the record at byte {} fails its check: the rest of the segment ({} bytes, {} records) is skipped",
                            s.path, readPos, s.validEnd - readPos, s.records - s.read);
                    pendingRecords -= s.records - s.read;
                    pendingFlows -= s.flows - s.readFlows;
                    s.records = s.read;
                    s.flows = s.readFlows;
                    s.validEnd = readPos;
                    if (s == active) roll(); // never append after damage
                    continue;
                }
                readPos += e.size();
                s.read++;
                s.readFlows += e.flows();
                unacked.add(e);
                out.add(e);
                bytes += e.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("spool: cannot read " + dir, e);
        }
        return out;
    }

    private void moveReader(Segment s) throws IOException {
        reader.close();
        readSegment = s;
        readPos = 0;
    }

    private SpoolEntry entryAt(Segment s, long pos) throws IOException {
        return reader.entryAt(s, pos);
    }

    /** Kafka has the record: it no longer counts as pending, and its segment may go. Once per entry read. */
    public synchronized void ack(SpoolEntry e) {
        if (closed || ackedAhead.contains(e)) return;
        Segment s = segments.get(e.segment());
        if (s == null) return;
        ackedAhead.add(e);
        s.acked++;
        pendingRecords--;
        pendingFlows -= e.flows();
        while (!unacked.isEmpty() && ackedAhead.remove(unacked.peekFirst())) unacked.pollFirst();
        SpoolEntry head = unacked.peekFirst();
        if (head != null) {
            cursorSegment = head.segment();
            cursorOffset = head.offset();
        } else if (readSegment != null) {
            cursorSegment = readSegment.id;
            cursorOffset = readPos;
        } else {
            cursorSegment = nextId;
            cursorOffset = 0;
        }
        cursorDirty = true;
        maybeDelete(s);
        if (pendingRecords == 0 && active != null && readSegment == active && readPos == active.validEnd && writeBuffer.position() == 0) {
            // drained: the active segment goes too, so an empty spool takes no disk
            try {
                activeChannel.close();
            } catch (IOException ignored) {
                // deleting it next
            }
            active.sealed = true;
            Segment drained = active;
            active = null;
            maybeDelete(drained);
        }
    }

    private void maybeDelete(Segment s) {
        if (!s.sealed || s.acked < s.records) return;
        if (s == readSegment) {
            if (readPos < s.validEnd) return;
            Map.Entry<Long, Segment> next = segments.higherEntry(s.id);
            try {
                reader.close();
            } catch (IOException ignored) {
                // the file goes anyway
            }
            readSegment = next == null ? null : next.getValue();
            readPos = 0;
        }
        try {
            Files.deleteIfExists(s.path);
        } catch (IOException e) {
            log.warn("spool: cannot delete {}: {}", s.path, e.toString());
            return;
        }
        segments.remove(s.id);
        totalBytes -= s.size;
    }

    /** Writes buffered records to the file (visible to a successor after a crash of this process). */
    public synchronized void flush() {
        if (closed || active == null) return;
        try {
            flushBuffer();
        } catch (IOException e) {
            writeFailed(e);
        }
    }

    /** fsyncs the segment being written and persists the cursor if it moved. */
    public synchronized void sync() {
        if (closed) return;
        try {
            if (active != null) {
                flushBuffer();
                activeChannel.force(false);
            }
            if (cursorDirty) {
                Cursor.write(dir.resolve(CURSOR), cursorSegment, cursorOffset);
                cursorDirty = false;
            }
        } catch (IOException e) {
            log.warn("spool: cannot sync {}: {}", dir, e.toString());
        }
    }

    /** Bytes of all segment files (the bounded quantity). */
    public synchronized long bytes() {
        return totalBytes;
    }

    /** Records not yet acknowledged (read or not). */
    public synchronized long records() {
        return pendingRecords;
    }

    /** Flows in the records not yet acknowledged. */
    public synchronized long flows() {
        return pendingFlows;
    }

    /** What a previous process left here, found at open (records, flows). */
    public long recoveredRecords() {
        return recoveredRecords;
    }

    public long recoveredFlows() {
        return recoveredFlows;
    }

    /** Records that failed their check (each ends what can be read of its segment). */
    public synchronized long corrupt() {
        return corrupt;
    }

    /** Append time of the oldest record not acknowledged (ms since the epoch), or -1 when none. */
    public synchronized long oldestMillis() {
        if (pendingRecords == 0) return -1;
        SpoolEntry head = unacked.peekFirst();
        if (head != null) return head.appendMillis();
        try {
            if (readSegment == null) return -1;
            if (readSegment == active && readPos >= active.validEnd) flushBuffer();
            SpoolEntry next = readPos < readSegment.validEnd ? entryAt(readSegment, readPos) : null;
            return next == null ? -1 : next.appendMillis();
        } catch (IOException e) {
            return -1;
        }
    }

    public Path directory() {
        return dir;
    }

    /** Writes out and fsyncs what is buffered, persists the cursor and releases the lock. */
    @Override
    public synchronized void close() {
        if (closed) return;
        sync();
        closed = true;
        try {
            if (activeChannel != null) activeChannel.close();
            reader.close();
            lock.close();
        } catch (IOException e) {
            log.warn("spool: closing {}: {}", dir, e.toString());
        }
    }
}

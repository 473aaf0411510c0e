package io.sluice.output;

import io.sluice.flow.CounterJson;
import io.sluice.flow.JsonStyle;
import io.sluice.flow.pb.CounterMessage;
import io.sluice.flow.pb.DropMessage;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Flows to a file or stdout ({@code -}), as JSON lines or as FlowMessages framed by {@link RecordFraming}
 * (length-delimited: a varint length before each message, what {@code FlowMessage.parseDelimitedFrom}
 * reads; the same key as Kafka). For debugging and small setups: workers take a lock per batch (not per
 * flow). The JSON lines are encoded by the workers into their batches ({@link FlowBatch.Encoding#JSON_LINE},
 * the format of `sluice decode`). sFlow counters and drop notifications go to their own files when configured
 * ({@code counters-path}, {@code drops-path}), else they are counted as dropped. What is written reaches the file within {@link #FLUSH_INTERVAL_MS} ms (a
 * flusher thread), so {@code tail -f} shows flows as they come, not per 64 KiB buffer.
 */
public final class FileOutput implements FlowOutput {
    public enum Format {
        JSON("json"),
        PROTOBUF("protobuf");

        public final String configName;

        Format(String configName) {
            this.configName = configName;
        }

        public static Format fromConfig(String name) {
            for (Format f : values()) if (f.configName.equals(name)) return f;
            return null;
        }
    }

    /** The longest a written flow waits in the buffer before it is in the file. */
    public static final long FLUSH_INTERVAL_MS = 1000;

    private final Format format;
    private final RecordFraming framing;
    private final JsonStyle jsonStyle;
    private final OutputStream flows;
    private final OutputStream counters; // null: not written
    private final OutputStream drops; // null: not written
    private final byte[] header = new byte[RecordFraming.MAX_HEADER];
    private final ScheduledExecutorService flusher;

    public FileOutput(String path, String countersPath, Format format) throws IOException {
        this(path, countersPath, "", format, RecordFraming.LENGTH_DELIMITED, JsonStyle.SLUICE);
    }

    public FileOutput(String path, String countersPath, String dropsPath, Format format) throws IOException {
        this(path, countersPath, dropsPath, format, RecordFraming.LENGTH_DELIMITED, JsonStyle.SLUICE);
    }

    /** A side path equal to another path shares its stream (one file, one lock), so lines never interleave mid-record. */
    public FileOutput(String path, String countersPath, String dropsPath, Format format, RecordFraming framing, JsonStyle jsonStyle)
            throws IOException {
        this.format = format;
        this.framing = framing;
        this.jsonStyle = jsonStyle;
        this.flows = open(path);
        this.counters = countersPath == null || countersPath.isEmpty() ? null
                : countersPath.equals(path) ? this.flows : open(countersPath);
        this.drops = dropsPath == null || dropsPath.isEmpty() ? null
                : dropsPath.equals(path) ? this.flows
                : dropsPath.equals(countersPath) ? this.counters : open(dropsPath);
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-file-flush");
            t.setDaemon(true);
            return t;
        });
        flusher.scheduleWithFixedDelay(() -> flush(Duration.ZERO), FLUSH_INTERVAL_MS, FLUSH_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    private static OutputStream open(String path) throws IOException {
        if (path.equals("-")) return new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out), 1 << 16);
        Path p = Path.of(path);
        if (p.getParent() != null) Files.createDirectories(p.getParent());
        return new BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
    }

    /** The batch encoding the workers must use for this output. */
    public FlowBatch.Encoding batchEncoding() {
        if (format == Format.PROTOBUF) return FlowBatch.Encoding.PROTOBUF;
        return jsonStyle == JsonStyle.GOFLOW2 ? FlowBatch.Encoding.GOFLOW2_JSON_LINE : FlowBatch.Encoding.JSON_LINE;
    }

    @Override
    public WorkerOutput forWorker(String listener, int worker) {
        OutputStats stats = new OutputStats();
        return new WorkerOutput() {
            @Override
            public void send(FlowBatch batch) {
                try {
                    write(batch);
                    stats.flowsSent(batch.size());
                } catch (IOException e) {
                    stats.error();
                    stats.dropped(DropReason.WRITE_ERROR, batch.size());
                }
            }

            @Override
            public void counters(CounterMessage m) {
                if (counters == null) {
                    stats.counterDropped();
                    return;
                }
                try {
                    writeSide(counters, m);
                    stats.counterSent();
                } catch (IOException e) {
                    stats.counterDropped();
                }
            }

            @Override
            public void drop(DropMessage m) {
                if (drops == null) {
                    stats.dropNotificationDropped();
                    return;
                }
                try {
                    writeSide(drops, m);
                    stats.dropNotificationSent();
                } catch (IOException e) {
                    stats.dropNotificationDropped();
                }
            }

            @Override
            public OutputStats stats() {
                return stats;
            }
        };
    }

    private void write(FlowBatch batch) throws IOException {
        byte[] data = batch.data();
        synchronized (flows) {
            for (int i = 0, n = batch.size(); i < n; i++) {
                int off = batch.offset(i), len = batch.length(i);
                if (batch.encoding() == FlowBatch.Encoding.PROTOBUF) flows.write(header, 0, framing.writeHeader(header, 0, len));
                flows.write(data, off, len); // a JSON line already ends in '\n'
            }
        }
    }

    /** A side message (counter record, drop notification): framed like flows, or one JSON line. */
    private void writeSide(OutputStream out, com.google.protobuf.Message m) throws IOException {
        synchronized (out) {
            if (format == Format.PROTOBUF) {
                out.write(framing.frame(m.toByteArray()));
            } else {
                out.write((CounterJson.toJson(m) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public void flush(Duration timeout) {
        try {
            synchronized (flows) {
                flows.flush();
            }
            if (counters != null && counters != flows) {
                synchronized (counters) {
                    counters.flush();
                }
            }
            if (drops != null && drops != flows && drops != counters) {
                synchronized (drops) {
                    drops.flush();
                }
            }
        } catch (IOException ignored) {
            // write errors are counted where they happen
        }
    }

    @Override
    public void close(Duration timeout) {
        flusher.shutdownNow();
        flush(timeout);
        try {
            flows.close();
            if (counters != null && counters != flows) counters.close();
            if (drops != null && drops != flows && drops != counters) drops.close();
        } catch (IOException ignored) {
            // nothing left to lose
        }
    }
}

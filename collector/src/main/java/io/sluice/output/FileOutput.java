package io.sluice.output;

import com.google.protobuf.util.JsonFormat;
import io.sluice.flow.pb.CounterMessage;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Flows to a file or stdout ({@code -}), as JSON lines or as length-delimited FlowMessages (a varint
 * length before each message, what {@code FlowMessage.parseDelimitedFrom} reads). For debugging and
 * small setups: workers take a lock per batch (not per flow). The JSON lines are encoded by the workers
 * into their batches ({@link FlowBatch.Encoding#JSON_LINE}, the format of `sluice decode`). sFlow counters
 * go to their own file when one is configured, else they are counted as dropped.
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

    private static final JsonFormat.Printer COUNTER_JSON =
            JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

    private final Format format;
    private final OutputStream flows;
    private final OutputStream counters; // null: not written
    private final byte[] varint = new byte[5];

    public FileOutput(String path, String countersPath, Format format) throws IOException {
        this.format = format;
        this.flows = open(path);
        this.counters = countersPath == null || countersPath.isEmpty() ? null
                : countersPath.equals(path) ? this.flows : open(countersPath);
    }

    private static OutputStream open(String path) throws IOException {
        if (path.equals("-")) return new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out), 1 << 16);
        Path p = Path.of(path);
        if (p.getParent() != null) Files.createDirectories(p.getParent());
        return new BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
    }

    /** The batch encoding the workers must use for this output. */
    public FlowBatch.Encoding batchEncoding() {
        return format == Format.JSON ? FlowBatch.Encoding.JSON_LINE : FlowBatch.Encoding.PROTOBUF;
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
                    writeCounters(m);
                    stats.counterSent();
                } catch (IOException e) {
                    stats.counterDropped();
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
                if (batch.encoding() == FlowBatch.Encoding.PROTOBUF) flows.write(varint, 0, writeVarint(len));
                flows.write(data, off, len); // a JSON line already ends in '\n'
            }
        }
    }

    private void writeCounters(CounterMessage m) throws IOException {
        synchronized (counters) {
            if (format == Format.PROTOBUF) {
                m.writeDelimitedTo(counters);
            } else {
                counters.write((COUNTER_JSON.print(m) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** Called under the flows lock. */
    private int writeVarint(int v) {
        int n = 0;
        while ((v & ~0x7F) != 0) {
            varint[n++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        varint[n++] = (byte) v;
        return n;
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
        } catch (IOException ignored) {
            // write errors are counted where they happen
        }
    }

    @Override
    public void close(Duration timeout) {
        flush(timeout);
        try {
            flows.close();
            if (counters != null && counters != flows) counters.close();
        } catch (IOException ignored) {
            // nothing left to lose
        }
    }
}

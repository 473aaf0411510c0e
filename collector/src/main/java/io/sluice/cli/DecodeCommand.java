package io.sluice.cli;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.FlowDecoder;
import io.sluice.flow.CounterJson;
import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.JsonStyle;
import io.sluice.flow.pb.CounterMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code sluice decode FILE...}: feeds every datagram of the files, in order, through ONE decoder
 * state (so templates of the first file serve the data of the next) and prints one JSON object per
 * flow per line. The exporter of each datagram is the pcap's UDP source.
 *
 * <p>This is how operators inspect a capture and how the decoders are tested end to end.
 */
public final class DecodeCommand {
    private DecodeCommand() {}

    /** Decodes the files in order into {@code out}, one JSON line per flow; returns the decode counters. */
    public static DecodeStats decode(FlowDecoder decoder, List<Path> files, Appendable out) throws IOException {
        return decode(decoder, files, out, false);
    }

    /**
     * As {@link #decode(FlowDecoder, List, Appendable)}; with {@code withCounters} sFlow counter records
     * are printed too, as {@code {"counters": {...}}} lines.
     */
    public static DecodeStats decode(FlowDecoder decoder, List<Path> files, Appendable out, boolean withCounters)
            throws IOException {
        return run(decoder, files, out, withCounters).stats();
    }

    /** What one decode run did: its decode counters and how many datagrams the files held. */
    public record Result(DecodeStats stats, long datagrams) {}

    /** As {@link #decode(FlowDecoder, List, Appendable, boolean)}, also counting the datagrams fed. */
    public static Result run(FlowDecoder decoder, List<Path> files, Appendable out, boolean withCounters)
            throws IOException {
        return run(decoder, files, out, withCounters, JsonStyle.SLUICE);
    }

    /** As {@link #run(FlowDecoder, List, Appendable, boolean)}, printing flows in {@code style}. */
    public static Result run(FlowDecoder decoder, List<Path> files, Appendable out, boolean withCounters, JsonStyle style)
            throws IOException {
        DecodeStats stats = new DecodeStats();
        long datagrams = 0;
        StringBuilder line = new StringBuilder(1024);
        FlowSink sink = new FlowSink() {
            @Override
            public void flow(FlowRecord flow) {
                line.setLength(0);
                FlowJson.append(flow, line, style);
                write(out, line.append('\n'));
            }

            @Override
            public void counters(CounterMessage counters) {
                if (!withCounters) return;
                line.setLength(0);
                line.append("{\"counters\":");
                CounterJson.append(counters, line);
                line.append("}\n");
                write(out, line);
            }
        };
        Datagram datagram = new Datagram(0);
        for (Path file : files) {
            for (CapturedDatagram captured : CaptureReader.read(file)) {
                datagram.buffer = ByteBuffer.wrap(captured.payload());
                datagram.length = captured.payload().length;
                datagram.setExporter(captured.sourceAddress(), captured.sourcePort());
                datagram.timeReceivedNs = captured.timestampNanos();
                decoder.decode(datagram, sink, stats);
                datagrams++;
            }
        }
        return new Result(stats, datagrams);
    }

    private static void write(Appendable out, CharSequence text) {
        try {
            out.append(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line for stderr: what was decoded and every error reason that occurred. */
    public static String summary(DecodeStats stats) {
        StringBuilder sb = new StringBuilder("decoded ").append(stats.totalFlows()).append(" flows");
        for (DecodeError e : DecodeError.values()) {
            if (stats.errors(e) > 0) sb.append(", ").append(e.label).append('=').append(stats.errors(e));
        }
        return sb.toString();
    }
}

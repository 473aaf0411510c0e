package io.sluice.cli;

import io.sluice.capture.CaptureFormatException;
import io.sluice.capture.CaptureReader;
import io.sluice.capture.CaptureStats;
import io.sluice.capture.CapturedDatagram;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.decode.Datagram;
import io.sluice.decode.ListenerProtocol;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.flow.CounterJson;
import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.JsonStyle;
import io.sluice.flow.pb.CounterMessage;
import io.sluice.service.StandardDecoders;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sluice decode}: feeds every datagram of the inputs, in order, through ONE decoder state (so
 * templates of the first file serve the data of the next) and prints one JSON object per flow per line.
 * The exporter of each datagram is the capture's UDP source.
 *
 * <p>This is how operators inspect a capture and how the decoders are tested end to end. Captures are
 * streamed ({@link CaptureReader}): a file of any size decodes in constant memory.
 */
public final class DecodeCommand {
    /** Exit status: input that is not a capture, or a corrupt one. */
    static final int EXIT_BAD_INPUT = 1;
    /** Exit status: usage or configuration error. */
    static final int EXIT_USAGE = 2;

    private final DecodeOptions options;
    private final InputStream stdin;
    private final PrintStream err;
    private final DecodeStats stats = new DecodeStats();
    private final CaptureTotals captureTotals = new CaptureTotals();
    private long datagrams;

    private DecodeCommand(DecodeOptions options, InputStream stdin, PrintStream err) {
        this.options = options;
        this.stdin = stdin;
        this.err = err;
    }

    /** Runs `sluice decode` as the options say; returns the exit status. */
    public static int execute(DecodeOptions options, InputStream stdin, PrintStream out, PrintStream err) {
        return new DecodeCommand(options, stdin, err).execute(out);
    }

    private int execute(PrintStream out) {
        StandardDecoders decoders;
        try {
            SluiceConfig config = ConfigLoader.load(options.config() == null
                    ? new String[0] : new String[] {"--config", options.config().toString()});
            decoders = new StandardDecoders(config);
        } catch (ConfigException e) {
            err.println("sluice decode: " + e.getMessage());
            return EXIT_USAGE;
        }
        VersionDispatch decoder = decoders.newDecoder(ListenerProtocol.AUTO);
        // Every file is checked to be a capture before any is decoded, so a typo in the last name does
        // not come after minutes of output.
        for (String input : options.inputs()) {
            if (input.equals(DecodeOptions.STDIN)) continue;
            try (CaptureReader r = CaptureReader.open(Path.of(input))) {
                // opening sniffs the format
            } catch (IOException e) {
                err.println("sluice decode: " + message(e));
                return EXIT_BAD_INPUT;
            }
        }
        Writer w = options.countOnly() ? Writer.nullWriter()
                : new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        int status = 0;
        try {
            FlowSink sink = jsonSink(w, options.counters() && !options.countOnly(), options.jsonStyle());
            for (String input : options.inputs()) decodeInput(decoder, input, sink, w);
        } catch (IOException e) {
            err.println("sluice decode: " + message(e));
            status = EXIT_BAD_INPUT;
        } catch (UncheckedIOException e) {
            err.println("sluice decode: writing the output: " + e.getCause().getMessage());
            status = EXIT_BAD_INPUT;
        } finally {
            try {
                w.flush();
            } catch (IOException e) {
                err.println("sluice decode: writing the output: " + e.getMessage());
                status = EXIT_BAD_INPUT;
            }
        }
        if (options.countOnly()) {
            out.println("{\"datagrams\":" + datagrams + ",\"flows\":" + stats.totalFlows()
                    + ",\"errors\":" + stats.totalErrors() + "}");
        }
        err.println(DecodeSummary.line(datagrams, stats, captureTotals, decoders.templateStats()));
        return status;
    }

    private static String message(IOException e) {
        return e instanceof CaptureFormatException || e.getMessage() == null ? String.valueOf(e.getMessage())
                : e.getClass().getSimpleName().replace("Exception", "") + ": " + e.getMessage();
    }

    private void decodeInput(VersionDispatch decoder, String input, FlowSink sink, Writer w) throws IOException {
        boolean fromStdin = input.equals(DecodeOptions.STDIN);
        long size = fromStdin ? -1 : Files.size(Path.of(input));
        DecodeProgress progress = options.progress() ? new DecodeProgress(err, fromStdin ? "stdin" : input, size) : null;
        try (CaptureReader reader = fromStdin ? CaptureReader.open(stdin, DecodeOptions.STDIN, options.ports())
                : CaptureReader.open(Path.of(input), options.ports())) {
            Datagram datagram = new Datagram(0);
            try {
                for (CapturedDatagram c = reader.next(); c != null; c = reader.next()) {
                    feed(decoder, datagram, c, sink);
                    // A pipe is decoded as it arrives: what one datagram gave is shown before the next comes.
                    if (fromStdin) w.flush();
                    if (progress != null) progress.update(reader.offset(), datagrams);
                }
            } finally {
                captureTotals.add(reader.stats());
                if (progress != null) progress.done();
            }
        }
    }

    private void feed(VersionDispatch decoder, Datagram datagram, CapturedDatagram captured, FlowSink sink) {
        datagram.buffer = ByteBuffer.wrap(captured.payload());
        datagram.length = captured.payload().length;
        datagram.setExporter(captured.sourceAddress(), captured.sourcePort());
        datagram.timeReceivedNs = captured.timestampNanos();
        decoder.decode(datagram, sink, stats);
        datagrams++;
    }

    /** One JSON line per flow ({@link FlowJson}); sFlow counter records as {"counters": {...}} lines if asked. */
    private static FlowSink jsonSink(Appendable out, boolean withCounters, JsonStyle style) {
        StringBuilder line = new StringBuilder(1024);
        return new FlowSink() {
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

            @Override
            public void drop(io.sluice.flow.pb.DropMessage drop) {
                line.setLength(0);
                line.append("{\"drop\":").append(CounterJson.toJson(drop)).append("}\n");
                write(out, line);
            }
        };
    }

    private static void write(Appendable out, CharSequence text) {
        try {
            out.append(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- For tests and tools that drive a decoder of their own over files ---

    /** What one decode run did: its decode counters and how many datagrams the files held. */
    public record Result(DecodeStats stats, long datagrams) {}

    /** Decodes the files in order into {@code out}, one JSON line per flow; returns the decode counters. */
    public static DecodeStats decode(VersionDispatch decoder, List<Path> files, Appendable out) throws IOException {
        return decode(decoder, files, out, false);
    }

    /** As {@link #decode(VersionDispatch, List, Appendable)}; with {@code withCounters} sFlow counter records too. */
    public static DecodeStats decode(VersionDispatch decoder, List<Path> files, Appendable out, boolean withCounters)
            throws IOException {
        return run(decoder, files, out, withCounters).stats();
    }

    /** As {@link #decode(VersionDispatch, List, Appendable, boolean)}, also counting the datagrams fed. */
    public static Result run(VersionDispatch decoder, List<Path> files, Appendable out, boolean withCounters)
            throws IOException {
        return run(decoder, files, out, withCounters, JsonStyle.SLUICE);
    }

    /** As {@link #run(VersionDispatch, List, Appendable, boolean)}, printing flows in {@code style}. */
    public static Result run(VersionDispatch decoder, List<Path> files, Appendable out, boolean withCounters, JsonStyle style)
            throws IOException {
        List<String> inputs = new ArrayList<>();
        for (Path f : files) inputs.add(f.toString());
        DecodeCommand command = new DecodeCommand(new DecodeOptions(inputs, null, withCounters, false, null, false, style),
                InputStream.nullInputStream(), System.err);
        FlowSink sink = jsonSink(out, withCounters, style);
        Datagram datagram = new Datagram(0);
        for (Path file : files) {
            try (CaptureReader reader = CaptureReader.open(file)) {
                for (CapturedDatagram c = reader.next(); c != null; c = reader.next()) {
                    command.feed(decoder, datagram, c, sink);
                }
            }
        }
        return new Result(command.stats, command.datagrams);
    }

    /** Sums the capture readers' counters over the inputs, for the summary. */
    static final class CaptureTotals {
        long frames, notUdp, otherPort, truncated, unsupportedLinkType, fragments, reassembled, fragmentsDropped,
                fragmentsIncomplete;
        int lastUnsupportedLinkType = -1;

        void add(CaptureStats s) {
            frames += s.frames();
            notUdp += s.notUdp();
            otherPort += s.otherPort();
            truncated += s.truncated();
            unsupportedLinkType += s.unsupportedLinkType();
            if (s.lastUnsupportedLinkType() >= 0) lastUnsupportedLinkType = s.lastUnsupportedLinkType();
            fragments += s.fragments();
            reassembled += s.reassembled();
            fragmentsDropped += s.fragmentsTimedOut() + s.fragmentsEvicted() + s.fragmentsInvalid();
            fragmentsIncomplete += s.fragmentsIncomplete();
        }
    }
}

package io.sluice.cli;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.FlowDecoder;
import io.sluice.flow.JsonStyle;
import io.sluice.service.StandardDecoders;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code sluice decode [--format json] [--counters] [--count] FILE...}: the command line of
 * {@link DecodeCommand}, with the service's decoders and default settings (templates, sampling).
 */
final class DecodeMain {
    static final String USAGE = """
            usage: sluice decode [--format json] [--json-style sluice|goflow2] [--counters] [--count] FILE...
              FILE...      pcap/pcapng files (exporter = UDP source), *.payloads.bin or raw datagram files,
                           fed in order through ONE decoder state (templates of one file serve the next)
              --format     json (the only format: one JSON object per flow per line, flow.proto field names)
              --json-style sluice (default: set fields only) or goflow2 (goflow2's JSON formatter conventions:
                           every goflow2 field, zeros included, etype/proto names, CIDR nets)
              --counters   also print sFlow counter records, as {"counters": {...}} lines
              --count      print only {"datagrams": N, "flows": M, "errors": E} for the files
            """;

    private DecodeMain() {}

    static int main(String[] args, PrintStream out, PrintStream err) {
        boolean counters = false;
        boolean countOnly = false;
        JsonStyle style = JsonStyle.SLUICE;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--format" -> {
                    if (i + 1 >= args.length || !args[++i].equals("json")) {
                        err.println("sluice decode: --format takes json");
                        return 2;
                    }
                }
                case "--json-style" -> {
                    style = i + 1 < args.length ? JsonStyle.fromConfig(args[++i]) : null;
                    if (style == null) {
                        err.println("sluice decode: --json-style takes sluice or goflow2");
                        return 2;
                    }
                }
                case "--counters" -> counters = true;
                case "--count" -> countOnly = true;
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    if (args[i].startsWith("--")) {
                        err.println("sluice decode: unknown option " + args[i]);
                        err.print(USAGE);
                        return 2;
                    }
                    files.add(Path.of(args[i]));
                }
            }
        }
        if (files.isEmpty()) {
            err.print(USAGE);
            return 2;
        }
        for (Path f : files) {
            if (!Files.isReadable(f)) {
                err.println("sluice decode: cannot read " + f);
                return 2;
            }
        }
        try {
            FlowDecoder decoder = defaultDecoder();
            if (countOnly) {
                DecodeCommand.Result result = DecodeCommand.run(decoder, files, Writer.nullWriter(), false);
                DecodeStats stats = result.stats();
                out.println("{\"datagrams\":" + result.datagrams() + ",\"flows\":" + stats.totalFlows()
                        + ",\"errors\":" + stats.totalErrors() + "}");
                err.println(DecodeCommand.summary(stats));
                return 0;
            }
            Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            DecodeStats stats = DecodeCommand.run(decoder, files, w, counters, style).stats();
            w.flush();
            err.println(DecodeCommand.summary(stats));
            return 0;
        } catch (IOException e) {
            err.println("sluice decode: " + e.getMessage());
            return 1;
        } catch (ConfigException e) {
            err.println("sluice decode: " + e.getMessage());
            return 2;
        }
    }

    /** The service's decoders with the embedded default configuration, so decode shows what run would send. */
    private static FlowDecoder defaultDecoder() throws ConfigException {
        SluiceConfig config = ConfigLoader.load(new String[0]);
        return (FlowDecoder) new StandardDecoders(config).newDecoder(SluiceConfig.Protocol.AUTO);
    }
}

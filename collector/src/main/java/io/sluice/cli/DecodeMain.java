package io.sluice.cli;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.FlowDecoder;
import io.sluice.decode.ListenerProtocol;
import io.sluice.service.StandardDecoders;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice decode [--format json] [--counters] [--count] FILE...}: the command line of
 * {@link DecodeCommand}, with the service's decoders and default settings (templates, sampling).
 */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Decode captures to JSON lines, one flow per line (flow.proto field names).")
final class DecodeMain implements Callable<Integer> {
    @Option(names = "--format", paramLabel = "FORMAT", description = "json (the only format)")
    String format = "json";

    @Option(names = "--counters", description = "also print sFlow counter records, as {\"counters\": {...}} lines")
    boolean counters;

    @Option(names = "--count", description = "print only {\"datagrams\": N, \"flows\": M, \"errors\": E} for the files")
    boolean countOnly;

    @Parameters(paramLabel = "FILE", arity = "1..*",
            description = "pcap/pcapng files (exporter = UDP source), *.payloads.bin or raw datagram files, fed in order"
                    + " through ONE decoder state (templates of one file serve the next)")
    List<Path> files = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private PrintStream out;
    private PrintStream err;

    static int main(String[] args, PrintStream out, PrintStream err) {
        DecodeMain command = new DecodeMain();
        command.out = out;
        command.err = err;
        return Main.execute(new CommandLine(command).setCommandName("sluice decode"), args, out, err);
    }

    @Override
    public Integer call() {
        PrintStream out = this.out != null ? this.out : System.out;
        PrintWriter err = spec.commandLine().getErr();
        if (!format.equals("json")) throw new CommandLine.ParameterException(spec.commandLine(), "--format takes json, got '" + format + "'");
        for (Path f : files) {
            if (Files.isDirectory(f)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + f + ": it is a directory (give capture files)");
            }
            if (!Files.isReadable(f)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + f + (Files.exists(f) ? ": permission denied" : ": no such file"));
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
            DecodeStats stats = DecodeCommand.decode(decoder, files, w, counters);
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
        return (FlowDecoder) new StandardDecoders(config).newDecoder(ListenerProtocol.AUTO);
    }
}

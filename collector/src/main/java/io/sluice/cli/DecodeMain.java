package io.sluice.cli;

import java.io.InputStream;
import io.sluice.flow.JsonStyle;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sluice decode}'s command line (picocli): parses the arguments into {@link DecodeOptions} and hands
 * them to {@link DecodeCommand}. Parsing only: nothing here decodes.
 */
@Command(name = "decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Decode captures to JSON lines, one flow per line (flow.proto field names).",
                "A summary line goes to stderr at the end; exit 1 if an input is not a capture (or is corrupt)."})
final class DecodeMain implements Callable<Integer> {
    @Option(names = "--format", paramLabel = "FORMAT", description = "json (the only format)")
    String format = "json";

    @Option(names = "--json-style", paramLabel = "STYLE", converter = JsonStyleConverter.class,
            description = "sluice (default: set fields only) or goflow2 (goflow2's JSON formatter conventions: every "
                    + "goflow2 field, zeros included, etype/proto names, CIDR nets)")
    JsonStyle jsonStyle = JsonStyle.SLUICE;

    @Option(names = "--counters", description = "also print sFlow counter records, as {\"counters\": {...}} lines")
    boolean counters;

    @Option(names = "--count", description = "print only {\"datagrams\": N, \"flows\": M, \"errors\": E} for the inputs")
    boolean countOnly;

    @Option(names = "--port", paramLabel = "PORT[,PORT...]", split = ",",
            description = "decode only UDP datagrams to these destination (collector) ports; repeatable; "
                    + "default: every UDP datagram of the capture")
    List<Integer> ports = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE",
            description = "the `run` configuration whose sampling and template settings apply (default: built in)")
    Path config;

    @Parameters(paramLabel = "INPUT", arity = "1..*",
            description = "pcap/pcapng captures (exporter = UDP source), *.payloads.bin or raw datagram files, or - for "
                    + "standard input (tcpdump -w - | sluice decode -), fed in order through ONE decoder state "
                    + "(templates of one input serve the next)")
    List<String> inputs = new ArrayList<>();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private InputStream stdin = System.in;
    private PrintStream out = System.out;
    private PrintStream err = System.err;
    private boolean stderrIsTerminal;

    static int main(String[] args, PrintStream out, PrintStream err) {
        return main(args, System.in, out, err, StderrTerminal.isTerminal());
    }

    static int main(String[] args, InputStream stdin, PrintStream out, PrintStream err, boolean stderrIsTerminal) {
        DecodeMain command = new DecodeMain();
        command.stdin = stdin;
        command.out = out;
        command.err = err;
        command.stderrIsTerminal = stderrIsTerminal;
        return Main.execute(new CommandLine(command).setCommandName("sluice decode"), args, out, err);
    }

    @Override
    public Integer call() {
        if (!format.equals("json")) throw usage("--format takes json, got '" + format + "'");
        BitSet portSet = null;
        if (!ports.isEmpty()) {
            portSet = new BitSet(65536);
            for (int p : ports) {
                if (p < 1 || p > 65535) throw usage("--port: " + p + " is not a port number (1-65535)");
                portSet.set(p);
            }
        }
        for (String input : inputs) {
            if (input.equals(DecodeOptions.STDIN)) continue;
            Path f = Path.of(input);
            if (Files.isDirectory(f)) throw usage("cannot read " + f + ": it is a directory (give capture files)");
            if (!Files.isReadable(f)) throw usage("cannot read " + f + (Files.exists(f) ? ": permission denied" : ": no such file"));
        }
        if (inputs.stream().filter(DecodeOptions.STDIN::equals).count() > 1) {
            throw usage("standard input (-) can be read only once");
        }
        return DecodeCommand.execute(new DecodeOptions(List.copyOf(inputs), portSet, counters, countOnly, config,
                stderrIsTerminal, jsonStyle), stdin, out, err);
    }

    /** --json-style by its configuration name (picocli would want the enum constant's). */
    static final class JsonStyleConverter implements CommandLine.ITypeConverter<JsonStyle> {
        @Override
        public JsonStyle convert(String value) {
            JsonStyle style = JsonStyle.fromConfig(value);
            if (style == null) throw new CommandLine.TypeConversionException("takes sluice or goflow2, got '" + value + "'");
            return style;
        }
    }

    private CommandLine.ParameterException usage(String problem) {
        return new CommandLine.ParameterException(spec.commandLine(), problem);
    }
}

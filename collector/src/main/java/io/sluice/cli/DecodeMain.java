package io.sluice.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * {@code sluice decode}'s command line: parses the arguments into {@link DecodeOptions} and hands them to
 * {@link DecodeCommand}. Parsing only: nothing here decodes.
 */
final class DecodeMain {
    static final String USAGE = """
            usage: sluice decode [--format json] [--counters] [--count] [--port N[,N...]] [--config FILE] INPUT...
              INPUT...     pcap/pcapng captures (exporter = UDP source), *.payloads.bin or raw datagram files, or
                           - for standard input (tcpdump -w - | sluice decode -), fed in order through ONE
                           decoder state (templates of one input serve the next)
              --port       decode only UDP datagrams to these destination (collector) ports; repeatable;
                           default: every UDP datagram of the capture
              --config     the `run` configuration whose sampling and template settings apply (default: built in)
              --format     json (the only format: one JSON object per flow per line, flow.proto field names)
              --counters   also print sFlow counter records, as {"counters": {...}} lines
              --count      print only {"datagrams": N, "flows": M, "errors": E} for the inputs
            A summary line goes to stderr at the end; exit 1 if an input is not a capture (or is corrupt).
            """;

    private DecodeMain() {}

    static int main(String[] args, PrintStream out, PrintStream err) {
        return main(args, System.in, out, err, StderrTerminal.isTerminal());
    }

    static int main(String[] args, InputStream stdin, PrintStream out, PrintStream err, boolean stderrIsTerminal) {
        boolean counters = false;
        boolean countOnly = false;
        BitSet ports = null;
        Path config = null;
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--format" -> {
                    if (i + 1 >= args.length || !args[++i].equals("json")) return usage(err, "--format takes json");
                }
                case "--counters" -> counters = true;
                case "--count" -> countOnly = true;
                case "--port" -> {
                    if (i + 1 >= args.length) return usage(err, "--port takes a port number (or a list: 2055,4739)");
                    if (ports == null) ports = new BitSet(65536);
                    String bad = addPorts(ports, args[++i]);
                    if (bad != null) return usage(err, "--port: " + bad + " is not a port number (1-65535)");
                }
                case "--config" -> {
                    if (i + 1 >= args.length) return usage(err, "--config takes a file");
                    config = Path.of(args[++i]);
                }
                case "-h", "--help" -> {
                    out.print(USAGE);
                    return 0;
                }
                default -> {
                    if (a.startsWith("--")) {
                        err.println("sluice decode: unknown option " + a);
                        err.print(USAGE);
                        return DecodeCommand.EXIT_USAGE;
                    }
                    inputs.add(a);
                }
            }
        }
        if (inputs.isEmpty()) {
            err.print(USAGE);
            return DecodeCommand.EXIT_USAGE;
        }
        for (String input : inputs) {
            if (!input.equals(DecodeOptions.STDIN) && !Files.isReadable(Path.of(input))) {
                err.println("sluice decode: cannot read " + input);
                return DecodeCommand.EXIT_USAGE;
            }
        }
        if (inputs.stream().filter(DecodeOptions.STDIN::equals).count() > 1) {
            return usage(err, "standard input (-) can be read only once");
        }
        return DecodeCommand.execute(new DecodeOptions(List.copyOf(inputs), ports, counters, countOnly, config,
                stderrIsTerminal), stdin, out, err);
    }

    /** Adds "2055" or "2055,4739" to the set; returns the bad element, or null. */
    private static String addPorts(BitSet ports, String list) {
        for (String p : list.split(",", -1)) {
            try {
                int port = Integer.parseInt(p.trim());
                if (port < 1 || port > 65535) return p;
                ports.set(port);
            } catch (NumberFormatException e) {
                return p;
            }
        }
        return null;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("sluice decode: " + problem);
        return DecodeCommand.EXIT_USAGE;
    }
}

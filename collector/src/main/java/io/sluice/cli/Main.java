package io.sluice.cli;

import java.util.Arrays;

/** {@code bin/sluice}'s entry point: dispatches the subcommand and exits with its status. */
public final class Main {
    static final String USAGE = """
            usage: sluice COMMAND [options]
              run     [--config FILE] [--KEY=VALUE...]   the collector service (docs/configuration.md)
              decode  [--counters] [--count] FILE...     decode captures to JSON lines, one flow per line
              replay  --to HOST:PORT [--rate N] FILE...  send the datagrams of captures, paced, from one socket
              help                                       this text
            """;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0) {
            System.err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "run" -> RunCommand.main(rest);
            case "decode" -> DecodeMain.main(rest, System.out, System.err);
            case "replay" -> ReplayCommand.main(rest);
            case "help", "-h", "--help" -> {
                System.out.print(USAGE);
                yield 0;
            }
            default -> {
                System.err.println("sluice: unknown command '" + args[0] + "'");
                System.err.print(USAGE);
                yield 2;
            }
        };
    }
}

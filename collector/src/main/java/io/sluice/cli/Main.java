package io.sluice.cli;

/**
 * bin/sluice's entry point: dispatches the subcommand. A minimal stand-in so `make bench` can run
 * `bin/sluice run` before the lead's Main lands; the lead's version replaces this one.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: sluice run|replay [options]");
            System.exit(2);
        }
        String[] rest = java.util.Arrays.copyOfRange(args, 1, args.length);
        int code = switch (args[0]) {
            case "run" -> RunCommand.main(rest);
            case "replay" -> ReplayCommand.main(rest);
            default -> {
                System.err.println("sluice: unknown command " + args[0]);
                yield 2;
            }
        };
        System.exit(code);
    }
}

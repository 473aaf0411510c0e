package io.sluice.cli;

import java.io.PrintStream;

/**
 * A progress line on stderr, rewritten in place (carriage return) at most once a second, for an operator
 * watching a long decode in a terminal; nothing is printed for a decode that ends within the first second.
 */
final class DecodeProgress {
    static final long INTERVAL_NS = 1_000_000_000L;

    private final PrintStream err;
    private final String input;
    private final long size;
    private final long intervalNs;
    private long nextNs;
    private boolean printed;

    DecodeProgress(PrintStream err, String input, long size) {
        this(err, input, size, INTERVAL_NS);
    }

    DecodeProgress(PrintStream err, String input, long size, long intervalNs) {
        this.err = err;
        this.input = input;
        this.size = size;
        this.intervalNs = intervalNs;
        this.nextNs = System.nanoTime() + intervalNs;
    }

    void update(long offset, long datagrams) {
        long now = System.nanoTime();
        if (now < nextNs) return;
        nextNs = now + intervalNs;
        err.print("\r" + text(offset, datagrams) + "   ");
        err.flush();
        printed = true;
    }

    String text(long offset, long datagrams) {
        String where = size > 0
                ? String.format("%d%% (%s of %s)", offset * 100 / size, mib(offset), mib(size))
                : mib(offset) + " read";
        return input + ": " + where + ", " + datagrams + " datagrams";
    }

    private static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    /** Ends the progress line so that the summary starts on a line of its own. */
    void done() {
        if (printed) err.println();
    }
}

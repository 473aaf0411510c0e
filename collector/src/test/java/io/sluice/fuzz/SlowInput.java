package io.sluice.fuzz;

/**
 * Makes an input that takes longer than a second a finding (a hang, for a decoder that must be bounded by
 * the datagram's length). Neither JUnit's @Timeout (it would also bound the whole fuzzing run, which runs
 * inside one test invocation) nor libFuzzer's -timeout (not settable through the JUnit integration's
 * documented options) fits, so the targets time themselves. A slow input is run a second time and is a
 * finding only if it is slow again: on this shared machine a JIT deoptimisation or a GC pause once made a
 * 0.7 ms input take 1.1 s (a false finding, not kept).
 */
final class SlowInput {
    static final long LIMIT_NS = 1_000_000_000L;

    /** The target's body on one input. */
    interface Body {
        void run() throws Exception;
    }

    private SlowInput() {}

    static void run(String target, Body body) throws Exception {
        long start = System.nanoTime();
        body.run();
        if (System.nanoTime() - start <= LIMIT_NS) return;
        start = System.nanoTime();
        body.run();
        long again = System.nanoTime() - start;
        if (again > LIMIT_NS) {
            throw new AssertionError(target + " took " + again / 1_000_000 + " ms on one input, twice (limit 1 s): a hang");
        }
    }
}

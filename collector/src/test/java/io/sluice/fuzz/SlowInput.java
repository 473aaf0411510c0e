package io.sluice.fuzz;

/**
 * Makes an input that takes longer than a second a finding (a hang, for a decoder that must be bounded by
 * the datagram's length). Neither JUnit's @Timeout (it would also bound the whole fuzzing run, which runs
 * inside one test invocation) nor libFuzzer's -timeout (not settable through the JUnit integration's
 * documented options) fits, so the targets time themselves. The first inputs of a JVM are not timed: they
 * pay for class loading and JIT compilation.
 */
final class SlowInput {
    static final long LIMIT_NS = 1_000_000_000L;
    private static final int WARM_UP = 200;
    private static int calls;

    private SlowInput() {}

    static void check(long startNs, String target) {
        long took = System.nanoTime() - startNs;
        if (++calls > WARM_UP && took > LIMIT_NS) {
            throw new AssertionError(target + " took " + took / 1_000_000 + " ms on one input (limit 1 s): a hang");
        }
    }
}

package io.sluice.decode.template;

/**
 * A sampling rate learnt from options data and where it came from ({@link io.sluice.flow.SamplingSource}).
 * Immutable; looked up once per data set (the record decoder caches it), so a value costs nothing.
 */
public record SamplingRate(long rate, int source) {
    public SamplingRate {
        if (rate <= 0) throw new IllegalArgumentException("rate " + rate);
    }
}

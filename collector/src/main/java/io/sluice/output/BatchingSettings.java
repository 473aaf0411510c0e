package io.sluice.output;

import java.time.Duration;

/**
 * The {@code batching} section: how workers batch flows before handing them to the output.
 *
 * @param flows flows per batch handed to the output
 * @param maxAge a partial batch is handed over after this
 */
public record BatchingSettings(int flows, Duration maxAge) {
    public static final BatchingSettings DEFAULTS = new BatchingSettings(4096, Duration.ofMillis(100));
}

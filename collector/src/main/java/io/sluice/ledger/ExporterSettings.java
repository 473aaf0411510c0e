package io.sluice.ledger;

import java.time.Duration;

/**
 * The {@code exporters} section: per-exporter accounting (docs/ledger.md).
 *
 * @param max exporters with their own metric series; datagrams of further sources count under "other"
 * @param reorderWindow how long a sequence gap waits for late (reordered) messages before it counts as missing
 */
public record ExporterSettings(int max, Duration reorderWindow) {
    public static final ExporterSettings DEFAULTS = new ExporterSettings(1000, Duration.ofSeconds(2));
}

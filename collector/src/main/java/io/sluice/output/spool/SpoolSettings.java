package io.sluice.output.spool;

/**
 * The {@code output.spool} section (docs/spool.md): a directory where the Kafka output keeps the records
 * Kafka does not take (broker down, stalled or slower than the input) until it takes them again.
 *
 * @param directory where the segment files live; "" = no spool (flows Kafka refuses are dropped and counted)
 * @param maxBytes the bound on the segment files together; a record that does not fit is dropped as {@code spool_full}
 * @param segmentBytes a segment is closed (fsync'd) and a new one started when the next record would pass this size;
 *     a segment is deleted once every record in it is acknowledged, so smaller segments give disk back sooner
 */
public record SpoolSettings(String directory, long maxBytes, long segmentBytes) {
    public static final SpoolSettings DEFAULTS = new SpoolSettings("", 1L << 30, 64L << 20);

    public SpoolSettings {
        if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be >= 1, got " + maxBytes);
        if (segmentBytes < 1024) throw new IllegalArgumentException("segmentBytes must be >= 1024, got " + segmentBytes);
    }

    public boolean enabled() {
        return !directory.isEmpty();
    }

    public SpoolSettings withDirectory(String dir) {
        return new SpoolSettings(dir, maxBytes, segmentBytes);
    }
}

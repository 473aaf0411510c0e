package io.sluice.output.spool;

/**
 * One spooled Kafka record as read back, with where it is (to acknowledge it).
 *
 * @param kind what the record is ({@link #FLOWS}: a flow record of the flows topic)
 * @param flows how many flows the record holds (the ledger counts flows)
 * @param appendMillis wall-clock time it was spooled (for the oldest-age gauge)
 * @param key null for a record without key
 */
public record SpoolEntry(long segment, long offset, int size, byte kind, int flows, long appendMillis, byte[] key, byte[] value) {
    public static final byte FLOWS = 0;
}

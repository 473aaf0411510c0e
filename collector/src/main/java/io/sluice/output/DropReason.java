package io.sluice.output;

/** Why decoded flows did not reach the output; the label of {@code sluice_flows_dropped_total{reason}}. */
public enum DropReason {
    /** Policy {@code drop}: the Kafka producer's buffer (buffer.memory) was full, so the flow was not queued. */
    BUFFER_FULL("buffer_full"),
    /** Policy drop: the producer had no metadata for the topic (broker down or restarting), so the flow was not queued. */
    UNAVAILABLE("unavailable"),
    /** Kafka gave up on a queued record: delivery.timeout.ms expired (broker down), or policy block waited max.block.ms. */
    TIMEOUT("timeout"),
    /** Kafka refused the record for another reason (record too large, authorization, producer closed). */
    KAFKA_ERROR("kafka_error"),
    /** The file output could not write (disk full, closed pipe). */
    WRITE_ERROR("write_error"),
    /** Kafka did not take the flow and the disk spool (output.spool) was at max-bytes (docs/spool.md). */
    SPOOL_FULL("spool_full");

    public final String label;

    DropReason(String label) {
        this.label = label;
    }
}

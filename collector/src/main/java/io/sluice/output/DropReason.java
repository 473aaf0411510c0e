package io.sluice.output;

/** Why decoded flows did not reach the output; the label of {@code sluice_flows_dropped_total{reason}}. */
public enum DropReason {
    /** Policy {@code drop}: the Kafka producer's buffer (buffer.memory) was full, so the flow was not queued. */
    BUFFER_FULL("buffer_full"),
    /** Kafka gave up on the record: delivery.timeout.ms expired (broker down) or a metadata wait timed out. */
    TIMEOUT("timeout"),
    /** Kafka refused the record for another reason (record too large, authorization, producer closed). */
    KAFKA_ERROR("kafka_error"),
    /** The file output could not write (disk full, closed pipe). */
    WRITE_ERROR("write_error");

    public final String label;

    DropReason(String label) {
        this.label = label;
    }
}

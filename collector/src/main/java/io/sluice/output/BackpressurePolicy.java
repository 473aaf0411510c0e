package io.sluice.output;

/** What a worker does when the output cannot take more flows (Kafka producer buffer full). */
public enum BackpressurePolicy {
    /** Count the flows as dropped (reason buffer_full) and keep reading the socket. */
    DROP("drop"),
    /** Wait for room (up to max.block.ms): the worker stops reading, the kernel drops and counts it. */
    BLOCK("block");

    public final String configName;

    BackpressurePolicy(String configName) {
        this.configName = configName;
    }

    public static BackpressurePolicy fromConfig(String name) {
        for (BackpressurePolicy p : values()) if (p.configName.equals(name)) return p;
        return null;
    }
}

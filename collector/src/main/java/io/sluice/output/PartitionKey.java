package io.sluice.output;

/** What the Kafka record key is, so what flows land together on a partition. */
public enum PartitionKey {
    /** The exporter's address (the datagram's UDP source): one exporter's flows stay in order on one partition. */
    EXPORTER("exporter"),
    /** No key: the producer's sticky partitioner fills one batch per partition at a time (best throughput). */
    RANDOM("random"),
    /** A hash of source/destination address, ports and protocol: a connection's flows stay together, load spreads evenly. */
    FIVE_TUPLE("five-tuple");

    public final String configName;

    PartitionKey(String configName) {
        this.configName = configName;
    }

    public static PartitionKey fromConfig(String name) {
        for (PartitionKey k : values()) if (k.configName.equals(name)) return k;
        return null;
    }
}

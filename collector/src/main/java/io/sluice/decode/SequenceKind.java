package io.sluice.decode;

/**
 * The sequence spaces exporters number their messages in, with what one unit of the sequence counts;
 * the {@code space} label of the per-exporter sequence metrics (docs/ledger.md).
 */
public enum SequenceKind {
    /** sFlow v5 datagram sequence, per agent address and sub-agent id: one per datagram. */
    SFLOW_DATAGRAM("sflow_datagram"),
    /** sFlow flow sample sequence, per agent, sub-agent and source id: one per flow sample. */
    SFLOW_FLOW_SAMPLE("sflow_flow_sample"),
    /** NetFlow v5 flow_sequence, per engine type and id: counts flow records. */
    NETFLOW_V5("netflow_v5"),
    /** NetFlow v9 package sequence, per source id: one per export packet (RFC 3954). */
    NETFLOW_V9("netflow_v9"),
    /** IPFIX sequence, per observation domain: counts data records sent before the message (RFC 7011). */
    IPFIX("ipfix");

    public final String label;

    SequenceKind(String label) {
        this.label = label;
    }
}

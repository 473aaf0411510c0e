package io.sluice.decode;

/** Flow protocols, with the {@code FlowMessage.FlowType} number; the label of {@code sluice_flows_decoded_total{protocol}}. */
public enum Protocol {
    SFLOW5("sflow", 1),
    NETFLOW5("netflow_v5", 2),
    NETFLOW9("netflow_v9", 3),
    IPFIX("ipfix", 4);

    public final String label;
    public final int flowType;

    Protocol(String label, int flowType) {
        this.label = label;
        this.flowType = flowType;
    }
}

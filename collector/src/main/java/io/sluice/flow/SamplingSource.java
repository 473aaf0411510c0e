package io.sluice.flow;

import io.sluice.flow.pb.FlowMessage.SamplingRateSource;

/**
 * Where a flow's sampling rate came from: the {@code SamplingRateSource} numbers of flow.proto, read
 * once from the generated enum so that no decoder spells them again. Plain ints because
 * {@link FlowRecord#samplingRateSource} is written per flow on the hot path.
 */
public final class SamplingSource {
    /** No rate known (the field is left 0). */
    public static final int UNKNOWN = SamplingRateSource.SAMPLING_RATE_SOURCE_UNKNOWN.getNumber();
    /** The sFlow flow sample's sampling_rate. */
    public static final int SFLOW_SAMPLE = SamplingRateSource.SFLOW_SAMPLE.getNumber();
    /** The NetFlow v5 header's sampling_interval. */
    public static final int NF5_HEADER = SamplingRateSource.NF5_HEADER.getNumber();
    /** A field of the flow record itself (IE 34/50, 305/306, 309/310). */
    public static final int RECORD = SamplingRateSource.RECORD.getNumber();
    /** Options data keyed by sampler / selector id, or the domain's options samplingInterval. */
    public static final int SAMPLER_TABLE = SamplingRateSource.SAMPLER_TABLE.getNumber();
    /** IPFIX options samplingPacketInterval/Space for the observation domain. */
    public static final int PACKET_INTERVAL = SamplingRateSource.PACKET_INTERVAL.getNumber();
    /** The configured per-exporter (or global) default. */
    public static final int CONFIGURED_DEFAULT = SamplingRateSource.CONFIGURED_DEFAULT.getNumber();

    private SamplingSource() {}
}

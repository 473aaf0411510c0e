package io.sluice.flow;

import java.util.Arrays;

/**
 * The configured sampling rate for flows whose exporter did not say (sampling_rate 0): per exporter
 * address, else a global default (0 = leave the flow at 0). Applied on the worker before encoding; a
 * linear scan because operators configure a handful of exporters and a scan of a few byte arrays
 * allocates nothing.
 */
public final class SamplingRateDefaults {
    public static final SamplingRateDefaults NONE = new SamplingRateDefaults(new byte[0][], new long[0], 0);

    /** The {@code FlowMessage.SamplingRateSource} number of a configured default. */
    public static final int SOURCE_CONFIGURED_DEFAULT = 6;

    private final byte[][] addresses;
    private final long[] rates;
    private final long globalDefault;

    /** @param addresses exporter addresses (4 or 16 bytes), parallel to {@code rates} */
    public SamplingRateDefaults(byte[][] addresses, long[] rates, long globalDefault) {
        if (addresses.length != rates.length) throw new IllegalArgumentException("addresses and rates differ in length");
        this.addresses = addresses.clone();
        this.rates = rates.clone();
        this.globalDefault = globalDefault;
    }

    /** Sets the default rate on a flow that has none; a no-op when the flow has a rate. */
    public void apply(FlowRecord flow) {
        if (flow.samplingRate != 0) return;
        long rate = lookup(flow.exporterAddress);
        if (rate == 0) rate = lookup(flow.samplerAddress);
        if (rate == 0) rate = globalDefault;
        if (rate != 0) {
            flow.samplingRate = rate;
            flow.samplingRateSource = SOURCE_CONFIGURED_DEFAULT;
        }
    }

    private long lookup(FlowRecord.Address a) {
        if (!a.isSet()) return 0;
        for (int i = 0; i < addresses.length; i++) {
            byte[] candidate = addresses[i];
            if (candidate.length == a.length && Arrays.equals(candidate, 0, candidate.length, a.bytes, 0, a.length)) {
                return rates[i];
            }
        }
        return 0;
    }

    public boolean isEmpty() {
        return addresses.length == 0 && globalDefault == 0;
    }
}

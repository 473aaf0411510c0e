package io.sluice.decode.sflow;

import io.sluice.flow.FlowRecord;

/**
 * The header of one sFlow v5 datagram (reused holder): what every sample in it shares. After
 * {@link SflowDecoder#decode} returns it still holds the last datagram's header, which tests and
 * rate-limited logs read.
 */
public final class SflowDatagramHeader {
    /** The agent address inside the datagram (not the UDP source). */
    public final FlowRecord.Address agent = new FlowRecord.Address();
    public long subAgentId;
    /** {@link io.sluice.decode.SequenceObserver#addressKey} of the agent: keys its sequence spaces. */
    public long agentKey;
    /** Datagram sequence number (per agent and sub-agent). */
    public long sequence;
    public long uptimeMs;
    /** The sample count the datagram declares; samples beyond it are ignored. */
    public long declaredSamples;
    /** Samples actually read (flow, counter and skipped ones). */
    public int samplesRead;

    void clear() {
        agent.clear();
        subAgentId = 0;
        agentKey = 0;
        sequence = 0;
        uptimeMs = 0;
        declaredSamples = 0;
        samplesRead = 0;
    }
}

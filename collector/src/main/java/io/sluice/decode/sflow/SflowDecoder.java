package io.sluice.decode.sflow;

import static io.sluice.decode.sflow.Xdr.u32;

import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.Protocol;
import io.sluice.decode.SinkGuard;
import io.sluice.decode.SkippedRecords;
import io.sluice.decode.SequenceKind;
import io.sluice.decode.SequenceObserver;
import io.sluice.decode.packet.Decapsulation;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import java.nio.ByteBuffer;

/**
 * sFlow v5 (sflow.org/sflow_version_5.txt) datagram decoder; one instance per worker thread (it
 * reuses one {@link FlowRecord} and one header holder, so it is not thread-safe).
 *
 * <p>Datagram: version 5, agent address (IPv4 or IPv6), sub-agent id, sequence, uptime, sample
 * count, then samples, each {@code data_format} (enterprise << 12 | format) + length + body. Flow
 * samples (0:1, 0:3) become flows, counter samples (0:2, 0:4) counter messages, drop notifications (0:5) drop messages; any other sample
 * (vendor samples) is skipped by its length and counted in {@link SkippedRecords}, not as an error.
 *
 * <p>Robustness: reading stops at the declared sample count even if more bytes follow (hand-edited
 * captures declare 1 sample and carry 5); a sample whose length overruns the datagram ends the
 * datagram (TRUNCATED) with the samples before it kept; a malformed sample inside a datagram whose
 * sample lengths are consistent is dropped alone. Every loop consumes at least 8 bytes per round.
 */
public final class SflowDecoder implements DatagramDecoder {
    static final int VERSION = 5;
    static final int SAMPLE_FLOW = 1;
    static final int SAMPLE_COUNTERS = 2;
    static final int SAMPLE_FLOW_EXPANDED = 3;
    static final int SAMPLE_COUNTERS_EXPANDED = 4;
    static final int SAMPLE_DROP = 5;

    private final SflowDatagramHeader header = new SflowDatagramHeader();
    private final FlowSampleDecoder flowSamples;
    private final CounterSampleDecoder counterSamples = new CounterSampleDecoder();
    private final SinkGuard guard = new SinkGuard();
    private final DropSampleDecoder dropSamples;
    /** Bugs caught by the last-resort guard in {@link #decode}; the fuzz test requires it stays 0. */
    long internalErrors;

    /** A decoder reporting the outermost packet of sampled headers. */
    public SflowDecoder() {
        this(Decapsulation.NONE);
    }

    /** A decoder that looks through {@code decapsulation} tunnels in sampled headers. */
    public SflowDecoder(Decapsulation decapsulation) {
        this.flowSamples = new FlowSampleDecoder(decapsulation);
        this.dropSamples = new DropSampleDecoder(decapsulation);
    }

    /** The header of the last datagram decoded (reused holder). */
    public SflowDatagramHeader lastHeader() {
        return header;
    }

    @Override
    public void decode(Datagram datagram, FlowSink sink, DecodeStats stats) {
        stats.datagram(Protocol.SFLOW5);
        header.clear();
        try {
            decodeSamples(datagram, guard.around(sink), stats);
        } catch (RuntimeException e) {
            guard.caught(e, stats); // the sink's exceptions go on up; ours are counted (see SinkGuard)
            internalErrors = guard.decoderBugs();
        } finally {
            stats.flows(Protocol.SFLOW5, flowsEmitted);
            flowsEmitted = 0;
        }
    }

    /** Flows handed to the sink for the current datagram (kept in a field so the guard can count them). */
    private int flowsEmitted;

    private void decodeSamples(Datagram datagram, FlowSink sink, DecodeStats stats) {
        ByteBuffer b = datagram.buffer;
        int end = Math.min(datagram.length, b.limit());
        if (end < 8) {
            stats.error(end >= 4 && b.getInt(0) != VERSION ? DecodeError.BAD_VERSION : DecodeError.TRUNCATED);
            return;
        }
        if (b.getInt(0) != VERSION) {
            stats.error(DecodeError.BAD_VERSION);
            return;
        }
        int p = Xdr.address(b, 4, end, header.agent);
        if (p < 0) {
            stats.error(end - 4 >= 4 && (b.getInt(4) < 0 || b.getInt(4) > 2) ? DecodeError.MALFORMED : DecodeError.TRUNCATED);
            return;
        }
        if (end - p < 16) {
            stats.error(DecodeError.TRUNCATED);
            return;
        }
        header.subAgentId = u32(b, p);
        header.sequence = u32(b, p + 4);
        header.uptimeMs = u32(b, p + 8);
        header.declaredSamples = u32(b, p + 12);
        header.agentKey = SequenceObserver.addressKey(header.agent.bytes, header.agent.length);
        datagram.sequences.sequence(SequenceKind.SFLOW_DATAGRAM, header.agentKey, header.subAgentId, header.sequence, 1, 0,
                header.uptimeMs);
        p += 16;
        for (long s = 0; s < header.declaredSamples; s++) {
            if (end - p < 8) {
                stats.error(DecodeError.TRUNCATED); // fewer samples than declared
                break;
            }
            int format = b.getInt(p);
            long length = u32(b, p + 4);
            p += 8;
            if (length > end - p) {
                stats.error(DecodeError.TRUNCATED);
                break;
            }
            int sampleEnd = p + (int) length;
            header.samplesRead++;
            switch (format) {
                case SAMPLE_FLOW, SAMPLE_FLOW_EXPANDED -> {
                    FlowRecord flow = flowSamples.decode(b, p, sampleEnd, format == SAMPLE_FLOW_EXPANDED, header,
                            datagram, stats);
                    if (flow != null) {
                        sink.flow(flow);
                        flowsEmitted++;
                    }
                }
                case SAMPLE_COUNTERS, SAMPLE_COUNTERS_EXPANDED ->
                        counterSamples.decode(b, p, sampleEnd, format == SAMPLE_COUNTERS_EXPANDED, header, datagram,
                                sink, stats);
                case SAMPLE_DROP -> dropSamples.decode(b, p, sampleEnd, header, datagram, sink, stats);
                default -> stats.skip(SkippedRecords.Kind.SFLOW_SAMPLE, format); // vendor samples: well-formed, not ours
            }
            p = sampleEnd;
        }
    }
}

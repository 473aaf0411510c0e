package io.sluice.decode.netflow;

import static io.sluice.decode.netflow.Bytes.u16;
import static io.sluice.decode.netflow.Bytes.u32;
import static io.sluice.decode.netflow.Bytes.u8;

import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.Protocol;
import io.sluice.decode.SinkGuard;
import io.sluice.decode.SequenceKind;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.SamplingSource;
import java.nio.ByteBuffer;

/**
 * NetFlow v5: a 24-byte header and up to {@code count} fixed 48-byte records. The header's
 * sampling_interval field holds the sampling mode in its top 2 bits and the interval in the low 14.
 * One instance per worker (it owns the reused {@link FlowRecord}).
 */
public final class NetflowV5Decoder implements DatagramDecoder {
    private static final int HEADER = 24;
    private static final int RECORD = 48;

    private final FlowRecord flow = new FlowRecord();
    private final SamplingDefaults defaults;
    private final SinkGuard guard = new SinkGuard();

    public NetflowV5Decoder(NetflowConfig config) {
        this.defaults = new SamplingDefaults(config);
    }

    @Override
    public void decode(Datagram d, FlowSink sink, DecodeStats stats) {
        stats.datagram(Protocol.NETFLOW5);
        try {
            decode(d.buffer, Math.min(d.length, d.buffer.limit()), d, guard.around(sink), stats);
        } catch (RuntimeException e) {
            guard.caught(e, stats); // the sink's exceptions go on up; ours are counted (see SinkGuard)
        }
    }

    /** Exceptions this decoder took for its own bugs (the fuzz tests require 0). */
    public long decoderBugs() {
        return guard.decoderBugs();
    }

    private void decode(ByteBuffer b, int end, Datagram d, FlowSink sink, DecodeStats stats) {
        if (end < HEADER) {
            stats.error(DecodeError.TRUNCATED);
            return;
        }
        if (u16(b, 0) != 5) {
            stats.error(DecodeError.BAD_VERSION);
            return;
        }
        int count = u16(b, 2);
        long uptimeMs = u32(b, 4);
        long unixSecs = u32(b, 8);
        long unixNanos = u32(b, 12);
        long sequence = u32(b, 16);
        int sampling = u16(b, 22);
        int interval = sampling & 0x3FFF; // top 2 bits: sampling mode
        long rate;
        int rateSource;
        if (interval > 0) {
            rate = interval;
            rateSource = SamplingSource.NF5_HEADER;
        } else {
            long configured = defaults.rateFor(d.exporterAddress, d.exporterAddressLength);
            // 0 in the header stays 0 (goflow2's raw 14-bit interval; source NF5_HEADER says the header
            // said so) unless the operator configured a rate for this exporter.
            rate = configured > 0 ? configured : 0;
            rateSource = configured > 0 ? SamplingSource.CONFIGURED_DEFAULT : SamplingSource.NF5_HEADER;
        }
        // flow_sequence counts flows, per engine (type, id): the declared count is what the exporter sent
        d.sequences.sequence(SequenceKind.NETFLOW_V5, u16(b, 20), 0, sequence, count, 0, uptimeMs);
        int available = (end - HEADER) / RECORD;
        if (count > available) {
            stats.error(DecodeError.TRUNCATED);
            count = available;
        }
        long exportNs = unixSecs * 1_000_000_000L + unixNanos;
        FlowRecord f = flow;
        for (int i = 0, p = HEADER; i < count; i++, p += RECORD) {
            f.clear();
            f.type = Protocol.NETFLOW5.flowType;
            f.timeReceivedNs = d.timeReceivedNs;
            f.sequenceNum = sequence;
            f.samplingRate = rate;
            f.samplingRateSource = rateSource;
            f.samplerAddress.set(d.exporterAddress, 0, d.exporterAddressLength);
            f.exporterAddress.set(d.exporterAddress, 0, d.exporterAddressLength);
            f.exporterPort = d.exporterPort;
            f.srcAddr.set(b, p, 4);
            f.dstAddr.set(b, p + 4, 4);
            f.nextHop.set(b, p + 8, 4);
            f.inIf = u16(b, p + 12);
            f.outIf = u16(b, p + 14);
            f.packets = u32(b, p + 16);
            f.bytes = u32(b, p + 20);
            // first/last are sysUptime ms; the header says what uptime the export time is.
            f.timeFlowStartNs = exportNs - (int) (uptimeMs - u32(b, p + 24)) * 1_000_000L;
            f.timeFlowEndNs = exportNs - (int) (uptimeMs - u32(b, p + 28)) * 1_000_000L;
            f.srcPort = u16(b, p + 32);
            f.dstPort = u16(b, p + 34);
            f.tcpFlags = u8(b, p + 37);
            f.proto = u8(b, p + 38);
            f.ipTos = u8(b, p + 39);
            f.srcAs = u16(b, p + 40);
            f.dstAs = u16(b, p + 42);
            f.srcNet = u8(b, p + 44);
            f.dstNet = u8(b, p + 45);
            f.etype = 0x0800;
            if ((f.proto == 1) && f.srcPort == 0) { // ICMP type/code in the destination port
                f.icmpType = f.dstPort >>> 8;
                f.icmpCode = f.dstPort & 0xFF;
            }
            sink.flow(f);
        }
        if (count > 0) stats.flows(Protocol.NETFLOW5, count);
    }
}

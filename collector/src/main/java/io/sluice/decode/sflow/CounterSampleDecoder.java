package io.sluice.decode.sflow;

import static io.sluice.decode.sflow.Xdr.u32;
import static io.sluice.decode.sflow.Xdr.u64;

import com.google.protobuf.ByteString;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.flow.FlowSink;
import io.sluice.flow.pb.CounterMessage;
import java.nio.ByteBuffer;

/**
 * Turns one sFlow counter sample (compact, 0:2, or expanded, 0:4) into one {@link CounterMessage}
 * per counter record: generic interface (0:1) and Ethernet (0:2) counters decoded, any other record
 * (host-sFlow 2000-2006, vendor records, ...) kept raw with its enterprise and format. Counter
 * samples come a few per interface per polling interval, so building messages here is fine.
 */
final class CounterSampleDecoder {
    static final int RECORD_GENERIC_INTERFACE = 1;
    static final int RECORD_ETHERNET_INTERFACE = 2;
    static final int GENERIC_INTERFACE_LENGTH = 88;
    static final int ETHERNET_INTERFACE_LENGTH = 52;

    /** Decodes the sample in {@code [p, end)} and hands its records to {@code sink}; returns false if malformed. */
    boolean decode(ByteBuffer b, int p, int end, boolean expanded, SflowDatagramHeader header, Datagram datagram,
            FlowSink sink, DecodeStats stats) {
        int fixed = expanded ? 16 : 12;
        if (end - p < fixed) {
            stats.error(DecodeError.TRUNCATED);
            return false;
        }
        long sequence = u32(b, p);
        long sourceType;
        long sourceIndex;
        long records;
        if (expanded) {
            sourceType = u32(b, p + 4);
            sourceIndex = u32(b, p + 8);
            records = u32(b, p + 12);
        } else {
            long sourceId = u32(b, p + 4);
            sourceType = sourceId >>> 24;
            sourceIndex = sourceId & 0xFFFFFF;
            records = u32(b, p + 8);
        }
        int q = p + fixed;
        for (long r = 0; r < records; r++) { // each round consumes >= 8 bytes or returns
            if (end - q < 8) {
                stats.error(DecodeError.TRUNCATED);
                return false;
            }
            int dataFormat = b.getInt(q);
            long length = u32(b, q + 4);
            q += 8;
            if (length > end - q) {
                stats.error(DecodeError.BAD_LENGTH);
                return false;
            }
            CounterMessage.Builder m = CounterMessage.newBuilder()
                    .setTimeReceivedNs(datagram.timeReceivedNs)
                    .setAgentAddress(ByteString.copyFrom(header.agent.bytes, 0, header.agent.length))
                    .setSubAgentId((int) header.subAgentId)
                    .setDatagramSequence((int) header.sequence)
                    .setUptimeMs((int) header.uptimeMs)
                    .setSequenceNum((int) sequence)
                    .setSourceIdType((int) sourceType)
                    .setSourceIdIndex((int) sourceIndex)
                    .setExporterAddress(ByteString.copyFrom(datagram.exporterAddress, 0, datagram.exporterAddressLength))
                    .setExporterPort(datagram.exporterPort);
            int len = (int) length;
            if (dataFormat == RECORD_GENERIC_INTERFACE && len >= GENERIC_INTERFACE_LENGTH) {
                m.setGenericInterface(generic(b, q));
            } else if (dataFormat == RECORD_ETHERNET_INTERFACE && len >= ETHERNET_INTERFACE_LENGTH) {
                m.setEthernetInterface(ethernet(b, q));
            } else {
                if (dataFormat == RECORD_GENERIC_INTERFACE || dataFormat == RECORD_ETHERNET_INTERFACE) {
                    stats.error(DecodeError.BAD_LENGTH); // too short for its structure: kept raw
                }
                byte[] data = new byte[len];
                b.get(q, data);
                m.setRaw(CounterMessage.RawRecord.newBuilder()
                        .setEnterprise(dataFormat >>> 12)
                        .setFormat(dataFormat & 0xFFF)
                        .setData(ByteString.copyFrom(data)));
            }
            sink.counters(m.build());
            q += len;
        }
        return true;
    }

    private static CounterMessage.GenericInterface generic(ByteBuffer b, int p) {
        return CounterMessage.GenericInterface.newBuilder()
                .setIfIndex(b.getInt(p))
                .setIfType(b.getInt(p + 4))
                .setIfSpeed(u64(b, p + 8))
                .setIfDirection(b.getInt(p + 16))
                .setIfStatus(b.getInt(p + 20))
                .setIfInOctets(u64(b, p + 24))
                .setIfInUcastPkts(b.getInt(p + 32))
                .setIfInMulticastPkts(b.getInt(p + 36))
                .setIfInBroadcastPkts(b.getInt(p + 40))
                .setIfInDiscards(b.getInt(p + 44))
                .setIfInErrors(b.getInt(p + 48))
                .setIfInUnknownProtos(b.getInt(p + 52))
                .setIfOutOctets(u64(b, p + 56))
                .setIfOutUcastPkts(b.getInt(p + 64))
                .setIfOutMulticastPkts(b.getInt(p + 68))
                .setIfOutBroadcastPkts(b.getInt(p + 72))
                .setIfOutDiscards(b.getInt(p + 76))
                .setIfOutErrors(b.getInt(p + 80))
                .setIfPromiscuousMode(b.getInt(p + 84))
                .build();
    }

    private static CounterMessage.EthernetInterface ethernet(ByteBuffer b, int p) {
        return CounterMessage.EthernetInterface.newBuilder()
                .setDot3StatsAlignmentErrors(b.getInt(p))
                .setDot3StatsFcsErrors(b.getInt(p + 4))
                .setDot3StatsSingleCollisionFrames(b.getInt(p + 8))
                .setDot3StatsMultipleCollisionFrames(b.getInt(p + 12))
                .setDot3StatsSqeTestErrors(b.getInt(p + 16))
                .setDot3StatsDeferredTransmissions(b.getInt(p + 20))
                .setDot3StatsLateCollisions(b.getInt(p + 24))
                .setDot3StatsExcessiveCollisions(b.getInt(p + 28))
                .setDot3StatsInternalMacTransmitErrors(b.getInt(p + 32))
                .setDot3StatsCarrierSenseErrors(b.getInt(p + 36))
                .setDot3StatsFrameTooLongs(b.getInt(p + 40))
                .setDot3StatsInternalMacReceiveErrors(b.getInt(p + 44))
                .setDot3StatsSymbolErrors(b.getInt(p + 48))
                .build();
    }
}

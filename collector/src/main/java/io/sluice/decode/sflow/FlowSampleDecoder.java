package io.sluice.decode.sflow;

import static io.sluice.decode.sflow.Xdr.u32;

import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.SkippedRecords;
import io.sluice.decode.SequenceKind;
import io.sluice.decode.packet.Decapsulation;
import io.sluice.decode.packet.PacketHeaderParser;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.SamplingSource;
import java.nio.ByteBuffer;

/**
 * Turns one sFlow flow sample (compact, 0:1, or expanded, 0:3) into one {@link FlowRecord}: the
 * sample's fields, then its flow records in the order the agent wrote them (a later record overrides
 * what an earlier one set, as goflow2 and Akvorado do: a sampled-IPv4 record after the raw header
 * wins over the header's addresses).
 *
 * <p>goflow2's meanings for its fields (producer/proto/producer_sf.go): {@code sequence_num} is the
 * datagram's sequence (the sample's own is {@code sample_sequence}), the flow times are the receive
 * time, {@code bytes} of a raw packet header is its frame length (the IP length is {@code l3_length}),
 * compact samples' interfaces are the whole 32-bit words (format bits included; the formats are also
 * in {@code in_if_format}/{@code out_if_format}), and extended_switch VLANs are taken as written.
 *
 * <p>{@code packets} is 1 and {@code bytes} the size of the one sampled packet: they are NOT
 * multiplied by the sampling rate. goflow2 does the same and its consumers multiply by
 * {@code sampling_rate}; multiplying here would make that double-counted downstream.
 */
final class FlowSampleDecoder {
    static final int RECORD_RAW_HEADER = 1;
    static final int RECORD_ETHERNET = 2;
    static final int RECORD_IPV4 = 3;
    static final int RECORD_IPV6 = 4;
    static final int RECORD_SWITCH = 1001;
    static final int RECORD_ROUTER = 1002;
    static final int RECORD_GATEWAY = 1003;

    static final int HEADER_PROTOCOL_ETHERNET = 1;
    static final int HEADER_PROTOCOL_IPV4 = 11;
    static final int HEADER_PROTOCOL_IPV6 = 12;

    /** Interface words of compact samples: 2 format bits above a 30-bit value. */
    static final int INTERFACE_VALUE_MASK = 0x3FFFFFFF;

    private final FlowRecord flow = new FlowRecord();
    private final Decapsulation decapsulation;

    FlowSampleDecoder(Decapsulation decapsulation) {
        this.decapsulation = decapsulation;
    }

    /**
     * Decodes the sample in {@code [p, end)}; returns the filled record, or null when the sample is
     * malformed (counted in {@code stats}).
     */
    FlowRecord decode(ByteBuffer b, int p, int end, boolean expanded, SflowDatagramHeader header, Datagram datagram,
            DecodeStats stats) {
        FlowRecord f = flow;
        f.clear();
        int fixed = expanded ? 44 : 32;
        if (end - p < fixed) {
            stats.error(DecodeError.TRUNCATED);
            return null;
        }
        f.type = 1; // FlowMessage.FlowType.SFLOW_5
        f.timeReceivedNs = datagram.timeReceivedNs;
        f.samplerAddress.copyFrom(header.agent);
        f.exporterAddress.set(datagram.exporterAddress, 0, datagram.exporterAddressLength);
        f.exporterPort = datagram.exporterPort;
        f.sourceId = header.subAgentId;
        f.sequenceNum = header.sequence; // goflow2: the datagram's sequence, for every protocol
        f.sampleSequence = u32(b, p);
        f.timeFlowStartNs = datagram.timeReceivedNs; // goflow2: an sFlow sample is a moment, the receive time
        f.timeFlowEndNs = datagram.timeReceivedNs;
        f.packets = 1;
        long records;
        int q;
        if (expanded) {
            // seq, source id type, source id index, rate, pool, drops, in fmt, in value, out fmt, out value, records
            f.samplingRate = u32(b, p + 12);
            f.inIfFormat = b.getInt(p + 24);
            f.inIf = u32(b, p + 28);
            f.outIfFormat = b.getInt(p + 32);
            f.outIf = u32(b, p + 36);
            records = u32(b, p + 40);
        } else {
            // seq, source id, rate, pool, drops, input, output, records
            f.samplingRate = u32(b, p + 8);
            int input = b.getInt(p + 20);
            int output = b.getInt(p + 24);
            f.inIfFormat = input >>> 30;
            f.inIf = input & 0xFFFF_FFFFL; // goflow2 keeps the whole word: value | format << 30
            f.outIfFormat = output >>> 30;
            f.outIf = output & 0xFFFF_FFFFL;
            records = u32(b, p + 28);
        }
        f.samplingRateSource = SamplingSource.SFLOW_SAMPLE;
        // the sample sequence counts the samples of one source id (data source) of the agent
        long sourceId = expanded ? (u32(b, p + 4) << 32) | u32(b, p + 8) : u32(b, p + 4);
        datagram.sequences.sequence(SequenceKind.SFLOW_FLOW_SAMPLE, header.agentKey ^ (header.subAgentId << 40), sourceId,
                f.sampleSequence, 1, 0, header.uptimeMs);
        q = p + fixed;
        // Each record takes at least its 8-byte header, so the loop ends within (end - q) / 8 rounds
        // whatever the declared count says.
        for (long r = 0; r < records; r++) {
            if (end - q < 8) {
                stats.error(DecodeError.TRUNCATED);
                return null;
            }
            int format = b.getInt(q);
            long length = u32(b, q + 4);
            q += 8;
            if (length > end - q) {
                stats.error(DecodeError.BAD_LENGTH);
                return null;
            }
            int recordEnd = q + (int) length;
            record(b, q, recordEnd, format, stats);
            q = recordEnd;
        }
        return f;
    }

    private void record(ByteBuffer b, int p, int end, int format, DecodeStats stats) {
        boolean ok = switch (format) {
            case RECORD_RAW_HEADER -> rawHeader(b, p, end, stats);
            case RECORD_ETHERNET -> ethernet(b, p, end);
            case RECORD_IPV4 -> sampledIp(b, p, end, 4, PacketHeaderParser.ETYPE_IPV4);
            case RECORD_IPV6 -> sampledIp(b, p, end, 16, PacketHeaderParser.ETYPE_IPV6);
            case RECORD_SWITCH -> extendedSwitch(b, p, end);
            case RECORD_ROUTER -> extendedRouter(b, p, end);
            case RECORD_GATEWAY -> extendedGateway(b, p, end);
            default -> {
                // host-sFlow's 0:2100 sockets, 0:1043 ... : well-formed records sluice does not use
                stats.skip(SkippedRecords.Kind.SFLOW_FLOW_RECORD, format);
                yield true;
            }
        };
        if (!ok) stats.error(DecodeError.BAD_LENGTH);
    }

    /** sampled_header: protocol, frame_length, stripped, header length, header bytes. */
    private boolean rawHeader(ByteBuffer b, int p, int end, DecodeStats stats) {
        if (end - p < 16) return false;
        int protocol = b.getInt(p);
        long frameLength = u32(b, p + 4);
        long headerLength = u32(b, p + 12);
        if (headerLength > end - p - 16) return false;
        FlowRecord f = flow;
        f.frameLength = frameLength;
        int l3Length = 0;
        int h = p + 16;
        int hl = (int) headerLength;
        switch (protocol) {
            case HEADER_PROTOCOL_ETHERNET -> l3Length = PacketHeaderParser.parseEthernet(b, h, hl, f, decapsulation);
            case HEADER_PROTOCOL_IPV4, HEADER_PROTOCOL_IPV6 ->
                    l3Length = PacketHeaderParser.parseIp(b, h, hl, f, decapsulation);
            default -> stats.skip(SkippedRecords.Kind.SFLOW_HEADER_PROTOCOL, protocol); // Token Ring, FDDI, 802.11, ...: size only
        }
        // bytes is the frame length, as goflow2 (and tcpdump, Telegraf) report it; sluice's L3 reading
        // (the IP packet as its header states it, 0 without IP) goes to l3_length.
        f.bytes = frameLength;
        f.l3Length = Math.max(0, l3Length);
        return true;
    }

    /** sampled_ethernet: length, src MAC and dst MAC (6 bytes padded to 8 each), type. */
    private boolean ethernet(ByteBuffer b, int p, int end) {
        if (end - p < 24) return false;
        FlowRecord f = flow;
        long length = u32(b, p);
        f.srcMac = mac(b, p + 4);
        f.dstMac = mac(b, p + 12);
        if (f.etype == 0) f.etype = b.getInt(p + 20) & 0xFFFF;
        if (f.frameLength == 0) f.frameLength = length;
        if (f.bytes == 0) f.bytes = length; // no L3 length known (yet): the frame is all there is
        return true;
    }

    /**
     * sampled_ipv4 / sampled_ipv6: length, protocol, src, dst, src port, dst port, tcp flags, tos
     * (IPv6: priority). The two records differ only in the address length.
     */
    private boolean sampledIp(ByteBuffer b, int p, int end, int addressLength, int etype) {
        int ports = p + 8 + 2 * addressLength;
        if (end - p < ports - p + 16) return false;
        FlowRecord f = flow;
        f.bytes = u32(b, p);
        f.proto = b.getInt(p + 4);
        f.srcAddr.set(b, p + 8, addressLength);
        f.dstAddr.set(b, p + 8 + addressLength, addressLength);
        f.srcPort = b.getInt(ports);
        f.dstPort = b.getInt(ports + 4);
        f.tcpFlags = b.getInt(ports + 8);
        f.ipTos = b.getInt(ports + 12);
        f.etype = etype;
        return true;
    }

    /**
     * extended_switch: src vlan, src priority, dst vlan, dst priority. Taken as written, as goflow2
     * does: agents write 0xFFFFFFFF for "unknown" (data-1140.pcap), which a consumer switching from
     * goflow2 expects to see as 4294967295, not 0.
     */
    private boolean extendedSwitch(ByteBuffer b, int p, int end) {
        if (end - p < 16) return false;
        flow.srcVlan = b.getInt(p);
        flow.dstVlan = b.getInt(p + 8);
        return true;
    }

    /** extended_router: next hop address, src mask length, dst mask length. */
    private boolean extendedRouter(ByteBuffer b, int p, int end) {
        int q = Xdr.address(b, p, end, flow.nextHop);
        if (q < 0 || end - q < 8) return false;
        flow.srcNet = b.getInt(q);
        flow.dstNet = b.getInt(q + 4);
        return true;
    }

    /**
     * extended_gateway: BGP next hop, the router's AS, source AS, source peer AS, destination AS path
     * segments (type, count, ASes), communities, local pref. As goflow2 maps it: the path is
     * flattened into {@code as_path}; dst_as is its last AS (the router's own AS when the path is
     * empty: locally originated), next_hop_as its first; src_as the source AS, or the router's AS
     * when the source AS is 0.
     */
    private boolean extendedGateway(ByteBuffer b, int p, int end) {
        FlowRecord f = flow;
        int q = Xdr.address(b, p, end, f.bgpNextHop);
        if (q < 0 || end - q < 16) return false;
        long routerAs = u32(b, q);
        long srcAs = u32(b, q + 4);
        f.srcPeerAs = u32(b, q + 8);
        long segments = u32(b, q + 12);
        q += 16;
        f.asPathCount = 0;
        long lastAs = 0;
        boolean anyAs = false;
        for (long s = 0; s < segments; s++) {
            if (end - q < 8) return false;
            long count = u32(b, q + 4);
            q += 8;
            if (count > (end - q) / 4) return false;
            for (int i = 0; i < count; i++) {
                long as = u32(b, q);
                q += 4;
                if (!anyAs) f.nextHopAs = as;
                anyAs = true;
                lastAs = as;
                f.addAsPath(as);
            }
        }
        if (end - q < 4) return false;
        long communities = u32(b, q);
        q += 4;
        if (communities > (end - q) / 4) return false;
        f.bgpCommunitiesCount = 0;
        for (int i = 0; i < communities; i++) {
            f.addCommunity(u32(b, q));
            q += 4;
        }
        f.dstAs = anyAs ? lastAs : routerAs;
        f.srcAs = srcAs != 0 ? srcAs : routerAs;
        return true;
    }

    private static long mac(ByteBuffer b, int p) {
        return ((long) (b.getShort(p) & 0xFFFF) << 32) | (b.getInt(p + 2) & 0xFFFFFFFFL);
    }
}

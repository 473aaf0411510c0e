package io.sluice.decode.sflow;

import static io.sluice.decode.sflow.Xdr.u32;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.SkippedRecords;
import io.sluice.decode.packet.Decapsulation;
import io.sluice.decode.packet.PacketHeaderParser;
import io.sluice.flow.FlowProtobufEncoder;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.pb.DropMessage;
import io.sluice.flow.pb.FlowMessage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Turns one sFlow drop notification (discarded packet sample, 0:5, sflow.org/sflow_drops.txt) into a
 * {@link DropMessage}: sequence, expanded source id, drops, input and output interface, reason, then its
 * records: the sampled header (0:1, parsed by {@link PacketHeaderParser} as for flows), egress queue
 * (0:1036), ACL (0:1037), function (0:1038); other records are skipped and counted. Drop notifications
 * are rare, so building a message here is fine.
 */
final class DropSampleDecoder {
    static final int FIXED = 32;
    static final int RECORD_RAW_HEADER = 1;
    static final int RECORD_EGRESS_QUEUE = 1036;
    static final int RECORD_ACL = 1037;
    static final int RECORD_FUNCTION = 1038;

    private final FlowRecord packet = new FlowRecord();
    private final FlowProtobufEncoder encoder = new FlowProtobufEncoder();
    private final Decapsulation decapsulation;

    DropSampleDecoder(Decapsulation decapsulation) {
        this.decapsulation = decapsulation;
    }

    /** Decodes the sample in {@code [p, end)} and hands it to {@code sink}; a malformed one is counted, not sent. */
    void decode(ByteBuffer b, int p, int end, SflowDatagramHeader header, Datagram datagram, FlowSink sink,
                DecodeStats stats) {
        if (end - p < FIXED) {
            stats.error(DecodeError.TRUNCATED);
            return;
        }
        DropMessage.Builder m = DropMessage.newBuilder()
                .setTimeReceivedNs(datagram.timeReceivedNs)
                .setAgentAddress(ByteString.copyFrom(header.agent.bytes, 0, header.agent.length))
                .setSubAgentId((int) header.subAgentId)
                .setDatagramSequence((int) header.sequence)
                .setUptimeMs((int) header.uptimeMs)
                .setExporterAddress(ByteString.copyFrom(datagram.exporterAddress, 0, datagram.exporterAddressLength))
                .setExporterPort(datagram.exporterPort)
                .setSequenceNum(b.getInt(p))
                .setSourceIdType(b.getInt(p + 4))
                .setSourceIdIndex(b.getInt(p + 8))
                .setDrops(b.getInt(p + 12))
                .setInIf(b.getInt(p + 16))
                .setOutIf(b.getInt(p + 20))
                .setReason(b.getInt(p + 24));
        long records = u32(b, p + 28);
        int q = p + FIXED;
        for (long r = 0; r < records; r++) { // each round consumes >= 8 bytes or returns
            if (end - q < 8) {
                stats.error(DecodeError.TRUNCATED);
                return;
            }
            int format = b.getInt(q);
            long length = u32(b, q + 4);
            q += 8;
            if (length > end - q) {
                stats.error(DecodeError.BAD_LENGTH);
                return;
            }
            int recordEnd = q + (int) length;
            if (!record(b, q, recordEnd, format, m, stats)) {
                stats.error(DecodeError.BAD_LENGTH);
                return;
            }
            q = recordEnd;
        }
        sink.drop(m.build());
    }

    private boolean record(ByteBuffer b, int p, int end, int format, DropMessage.Builder m, DecodeStats stats) {
        switch (format) {
            case RECORD_RAW_HEADER -> {
                if (end - p < 16) return false;
                int protocol = b.getInt(p);
                long headerLength = u32(b, p + 12);
                if (headerLength > end - p - 16) return false;
                FlowRecord f = packet;
                f.clear();
                f.type = 1; // SFLOW_5
                f.frameLength = u32(b, p + 4);
                int l3 = switch (protocol) {
                    case FlowSampleDecoder.HEADER_PROTOCOL_ETHERNET ->
                            PacketHeaderParser.parseEthernet(b, p + 16, (int) headerLength, f, decapsulation);
                    case FlowSampleDecoder.HEADER_PROTOCOL_IPV4, FlowSampleDecoder.HEADER_PROTOCOL_IPV6 ->
                            PacketHeaderParser.parseIp(b, p + 16, (int) headerLength, f, decapsulation);
                    default -> {
                        stats.skip(SkippedRecords.Kind.SFLOW_HEADER_PROTOCOL, protocol);
                        yield 0;
                    }
                };
                f.bytes = l3 > 0 ? l3 : f.frameLength;
                try {
                    int n = encoder.encode(f);
                    m.setPacket(FlowMessage.parseFrom(ByteString.copyFrom(encoder.buffer(), 0, n)));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalStateException("our own encoding does not parse", e);
                }
                return true;
            }
            case RECORD_EGRESS_QUEUE -> {
                if (end - p < 4) return false;
                m.setEgressQueue(b.getInt(p));
                return true;
            }
            case RECORD_ACL -> {
                if (end - p < 8) return false;
                m.setAclNumber(b.getInt(p));
                int q = string(b, p + 4, end, s -> m.setAclName(s));
                if (q < 0 || end - q < 4) return false;
                m.setAclDirection(b.getInt(q));
                return true;
            }
            case RECORD_FUNCTION -> {
                return string(b, p, end, m::setFunctionSymbol) >= 0;
            }
            default -> {
                stats.skip(SkippedRecords.Kind.SFLOW_FLOW_RECORD, format);
                return true;
            }
        }
    }

    /** An XDR string (length, bytes padded to 4) at {@code p}; returns the position after it, or -1. */
    private static int string(ByteBuffer b, int p, int end, java.util.function.Consumer<String> to) {
        if (end - p < 4) return -1;
        long length = u32(b, p);
        if (length > end - p - 4) return -1;
        byte[] bytes = new byte[(int) length];
        b.get(p + 4, bytes);
        to.accept(new String(bytes, StandardCharsets.UTF_8));
        int padded = (int) ((length + 3) & ~3L);
        return Math.min(end, p + 4 + padded);
    }
}

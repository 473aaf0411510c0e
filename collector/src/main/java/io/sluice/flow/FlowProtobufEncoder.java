package io.sluice.flow;

/**
 * Writes a {@link FlowRecord} as a protobuf {@code flowpb.FlowMessage} (see {@code flow.proto}) into a
 * reused byte array, without allocating: the hot path encodes every flow, so the generated builder
 * (one object per message plus a ByteString per address) is too costly there.
 *
 * <p>Fields are written in field-number order and zero values are omitted, exactly as protobuf-java
 * serializes a proto3 message, so the bytes equal {@code FlowMessage.toByteArray()} of the same content
 * (the test proves it). Fields the record does not hold (mpls_ip, layer_stack, layer_size, SRv6) are never written.
 * One instance per thread.
 */
public final class FlowProtobufEncoder {
    /**
     * Upper bound of one encoded flow: ~60 scalar fields at ≤ 13 bytes (tag + 10-byte varint), 7
     * addresses at ≤ 19 bytes, 4 packed lists of 16 varints at ≤ 10 bytes plus their headers.
     */
    public static final int MAX_ENCODED_SIZE = 60 * 13 + 7 * 19 + 4 * (3 + 2 + FlowRecord.MAX_LIST * 10);

    private final byte[] buffer = new byte[MAX_ENCODED_SIZE];

    /** The buffer {@link #encode(FlowRecord)} writes into; valid up to the length it returned. */
    public byte[] buffer() {
        return buffer;
    }

    /** Encodes into {@link #buffer()} from 0; returns the length. */
    public int encode(FlowRecord r) {
        return encode(r, buffer, 0);
    }

    /**
     * Encodes into {@code dst} at {@code offset}, which must have {@link #MAX_ENCODED_SIZE} bytes free;
     * returns the number of bytes written.
     */
    public static int encode(FlowRecord r, byte[] dst, int offset) {
        int p = offset;
        p = enumField(dst, p, 1, r.type);
        p = u64(dst, p, 3, r.samplingRate);
        p = u32(dst, p, 4, r.sequenceNum);
        p = address(dst, p, 6, r.srcAddr);
        p = address(dst, p, 7, r.dstAddr);
        p = u64(dst, p, 9, r.bytes);
        p = u64(dst, p, 10, r.packets);
        p = address(dst, p, 11, r.samplerAddress);
        p = address(dst, p, 12, r.nextHop);
        p = u32(dst, p, 13, r.nextHopAs);
        p = u32(dst, p, 14, r.srcAs);
        p = u32(dst, p, 15, r.dstAs);
        p = u32(dst, p, 16, r.srcNet);
        p = u32(dst, p, 17, r.dstNet);
        p = u32(dst, p, 18, r.inIf);
        p = u32(dst, p, 19, r.outIf);
        p = u32(dst, p, 20, r.proto);
        p = u32(dst, p, 21, r.srcPort);
        p = u32(dst, p, 22, r.dstPort);
        p = u32(dst, p, 23, r.ipTos);
        p = u32(dst, p, 24, r.forwardingStatus);
        p = u32(dst, p, 25, r.ipTtl);
        p = u32(dst, p, 26, r.tcpFlags);
        p = u64(dst, p, 27, r.srcMac);
        p = u64(dst, p, 28, r.dstMac);
        p = u32(dst, p, 29, r.vlanId);
        p = u32(dst, p, 30, r.etype);
        p = u32(dst, p, 31, r.icmpType);
        p = u32(dst, p, 32, r.icmpCode);
        p = u32(dst, p, 33, r.srcVlan);
        p = u32(dst, p, 34, r.dstVlan);
        p = u32(dst, p, 35, r.fragmentId);
        p = u32(dst, p, 36, r.fragmentOffset);
        p = u32(dst, p, 37, r.ipv6FlowLabel);
        p = u32(dst, p, 38, r.ipFlags);
        p = u32(dst, p, 39, r.ingressVrfId);
        p = u32(dst, p, 40, r.egressVrfId);
        if (r.flowDirection >= 0) { // proto3 `optional`: present even when 0
            p = tag(dst, p, 42, 0);
            p = varint(dst, p, r.flowDirection & 0xFFFF_FFFFL);
        }
        p = u32(dst, p, 70, r.observationDomainId);
        p = u32(dst, p, 71, r.observationPointId);
        p = packedU32(dst, p, 80, r.mplsTtl, r.mplsCount);
        p = packedU32(dst, p, 81, r.mplsLabel, r.mplsCount);
        p = address(dst, p, 82, r.mplsIp); // repeated bytes with one entry: the same bytes on the wire
        p = address(dst, p, 100, r.bgpNextHop);
        p = packedU32(dst, p, 101, r.bgpCommunities, r.bgpCommunitiesCount);
        p = packedU32(dst, p, 102, r.asPath, r.asPathCount);
        p = u64(dst, p, 110, r.timeReceivedNs);
        p = u64(dst, p, 111, r.timeFlowStartNs);
        p = u64(dst, p, 112, r.timeFlowEndNs);
        p = enumField(dst, p, 1000, r.samplingRateSource);
        p = u32(dst, p, 1001, r.exporterPort);
        p = address(dst, p, 1002, r.exporterAddress);
        p = u32(dst, p, 1003, r.sourceId);
        p = u32(dst, p, 1007, r.inIfFormat);
        p = u32(dst, p, 1008, r.outIfFormat);
        p = u64(dst, p, 1009, r.frameLength);
        p = u32(dst, p, 1010, r.srcPeerAs);
        p = u64(dst, p, 1011, r.l3Length);
        p = u32(dst, p, 1012, r.sampleSequence);
        return p - offset;
    }

    // ---- wire format (https://protobuf.dev/programming-guides/encoding/) ----

    // Callers pass constant field numbers: inlined, this folds to one or two byte stores.
    private static int tag(byte[] d, int p, int field, int wireType) {
        int t = (field << 3) | wireType;
        if (t < 0x80) {
            d[p] = (byte) t;
            return p + 1;
        }
        d[p] = (byte) (t | 0x80);
        d[p + 1] = (byte) (t >>> 7);
        return p + 2; // field numbers < 2048: two bytes at most
    }

    /** Writes {@code v} as a protobuf varint at {@code p}; returns the position after it (also RawFlowEncoder's). */
    public static int varint(byte[] d, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            d[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        d[p++] = (byte) v;
        return p;
    }

    /** Bytes of {@code v} as a protobuf varint. */
    public static int varintSize(long v) {
        // 1 byte per started 7 bits; 0 takes 1 byte
        return v == 0 ? 1 : (63 - Long.numberOfLeadingZeros(v)) / 7 + 1;
    }

    /** uint64: zero omitted. */
    private static int u64(byte[] d, int p, int field, long v) {
        if (v == 0) return p;
        p = tag(d, p, field, 0);
        return varint(d, p, v);
    }

    /** uint32: the low 32 bits, as the generated setter's int would keep them; zero omitted. */
    private static int u32(byte[] d, int p, int field, long v) {
        long u = v & 0xFFFF_FFFFL;
        if (u == 0) return p;
        p = tag(d, p, field, 0);
        return varint(d, p, u);
    }

    /** Enums are int32 on the wire: a negative value takes 10 bytes (sign-extended), as protobuf-java writes it. */
    private static int enumField(byte[] d, int p, int field, int v) {
        if (v == 0) return p;
        p = tag(d, p, field, 0);
        return varint(d, p, v);
    }

    private static int address(byte[] d, int p, int field, FlowRecord.Address a) {
        int len = a.length;
        if (len == 0) return p;
        p = tag(d, p, field, 2);
        d[p++] = (byte) len; // 4 or 16: one-byte length
        System.arraycopy(a.bytes, 0, d, p, len);
        return p + len;
    }

    private static int packedU32(byte[] d, int p, int field, long[] values, int count) {
        if (count <= 0) return p;
        int size = 0;
        for (int i = 0; i < count; i++) size += varintSize(values[i] & 0xFFFF_FFFFL);
        p = tag(d, p, field, 2);
        p = varint(d, p, size);
        for (int i = 0; i < count; i++) p = varint(d, p, values[i] & 0xFFFF_FFFFL);
        return p;
    }

    private static int packedU32(byte[] d, int p, int field, int[] values, int count) {
        if (count <= 0) return p;
        int size = 0;
        for (int i = 0; i < count; i++) size += varintSize(values[i] & 0xFFFF_FFFFL);
        p = tag(d, p, field, 2);
        p = varint(d, p, size);
        for (int i = 0; i < count; i++) p = varint(d, p, values[i] & 0xFFFF_FFFFL);
        return p;
    }
}

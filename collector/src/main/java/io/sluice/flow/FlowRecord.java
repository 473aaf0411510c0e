package io.sluice.flow;

import java.util.Arrays;

/**
 * One decoded flow, as a mutable, reusable holder.
 *
 * <p>Decoders fill one instance per flow and hand it to a {@link FlowSink}; the sink must copy what it
 * keeps (serialize it) before returning, because the decoder clears and reuses the same instance for
 * the next flow. This keeps the hot path free of per-flow allocation. The field names and meanings
 * follow goflow2's {@code FlowMessage} (see {@code flow.proto}); the protobuf encoding is done by
 * {@link FlowProtobufEncoder}.
 *
 * <p>Addresses are held in fixed 16-byte arrays with a length (0 = absent, 4 = IPv4, 16 = IPv6).
 */
public final class FlowRecord {
    public static final int MAX_LIST = 16;

    /** {@code FlowMessage.FlowType}: 1 sFlow v5, 2 NetFlow v5, 3 NetFlow v9, 4 IPFIX. */
    public int type;
    public long timeReceivedNs;
    public long sequenceNum;
    public long samplingRate;
    /** {@code FlowMessage.SamplingRateSource} number. */
    public int samplingRateSource;

    /** sFlow agent, or the NetFlow/IPFIX exporter address. */
    public final Address samplerAddress = new Address();
    /** The datagram's UDP source. */
    public final Address exporterAddress = new Address();
    public int exporterPort;
    /** v9 source id, IPFIX observation domain id, sFlow sub-agent id. */
    public long sourceId;

    public long timeFlowStartNs;
    public long timeFlowEndNs;

    public long bytes;
    public long packets;
    /** sFlow raw header frame length (bytes holds it too, as goflow2 does, unless a sampled_ipv4/6 record follows). */
    public long frameLength;
    /** sFlow raw header: the IP packet's length as its header states it, 0 without IP (sluice's reading of size). */
    public long l3Length;
    /** sFlow: the flow sample's sequence number (sequenceNum is the datagram's, goflow2's meaning). */
    public long sampleSequence;

    public final Address srcAddr = new Address();
    public final Address dstAddr = new Address();
    public int etype;
    public int proto;
    public int srcPort;
    public int dstPort;

    public long inIf;
    public long outIf;
    public int inIfFormat;
    public int outIfFormat;

    public long srcMac;
    public long dstMac;
    public int srcVlan;
    public int dstVlan;
    public int vlanId;

    public int ipTos;
    public int forwardingStatus;
    public int ipTtl;
    public int ipFlags;
    public int tcpFlags;
    public int icmpType;
    public int icmpCode;
    public int ipv6FlowLabel;
    public long fragmentId;
    public int fragmentOffset;

    public long srcAs;
    public long dstAs;
    public final Address nextHop = new Address();
    public long nextHopAs;
    /** sFlow extended gateway: the peer AS the route to the source was learnt from. */
    public long srcPeerAs;
    public int srcNet;
    public int dstNet;

    public final Address bgpNextHop = new Address();
    /** The address of the top MPLS label's FEC (IPFIX 47 / 140): proto mpls_ip, one entry. */
    public final Address mplsIp = new Address();
    /** BGP communities, {@link #bgpCommunitiesCount} used. */
    public final long[] bgpCommunities = new long[MAX_LIST];
    public int bgpCommunitiesCount;
    /** AS path, {@link #asPathCount} used. */
    public final long[] asPath = new long[MAX_LIST];
    public int asPathCount;

    /** MPLS labels (20-bit label values), outermost first. */
    public final int[] mplsLabel = new int[MAX_LIST];
    public final int[] mplsTtl = new int[MAX_LIST];
    public int mplsCount;

    public long observationDomainId;
    public long observationPointId;

    /** -1 when the exporter did not say; else 0 ingress, 1 egress. */
    public int flowDirection = -1;
    public long ingressVrfId;
    public long egressVrfId;

    /** Resets every field so the holder can take the next flow. */
    public void clear() {
        type = 0;
        timeReceivedNs = 0;
        sequenceNum = 0;
        samplingRate = 0;
        samplingRateSource = 0;
        samplerAddress.clear();
        exporterAddress.clear();
        exporterPort = 0;
        sourceId = 0;
        timeFlowStartNs = 0;
        timeFlowEndNs = 0;
        bytes = 0;
        packets = 0;
        frameLength = 0;
        l3Length = 0;
        sampleSequence = 0;
        srcAddr.clear();
        dstAddr.clear();
        etype = 0;
        proto = 0;
        srcPort = 0;
        dstPort = 0;
        inIf = 0;
        outIf = 0;
        inIfFormat = 0;
        outIfFormat = 0;
        srcMac = 0;
        dstMac = 0;
        srcVlan = 0;
        dstVlan = 0;
        vlanId = 0;
        ipTos = 0;
        forwardingStatus = 0;
        ipTtl = 0;
        ipFlags = 0;
        tcpFlags = 0;
        icmpType = 0;
        icmpCode = 0;
        ipv6FlowLabel = 0;
        fragmentId = 0;
        fragmentOffset = 0;
        srcAs = 0;
        dstAs = 0;
        nextHop.clear();
        nextHopAs = 0;
        srcPeerAs = 0;
        srcNet = 0;
        dstNet = 0;
        bgpNextHop.clear();
        mplsIp.clear();
        bgpCommunitiesCount = 0;
        asPathCount = 0;
        mplsCount = 0;
        observationDomainId = 0;
        observationPointId = 0;
        flowDirection = -1;
        ingressVrfId = 0;
        egressVrfId = 0;
    }

    /** Appends to the AS path, ignoring what exceeds {@link #MAX_LIST}. */
    public void addAsPath(long as) {
        if (asPathCount < MAX_LIST) asPath[asPathCount++] = as;
    }

    /** Appends a BGP community, ignoring what exceeds {@link #MAX_LIST}. */
    public void addCommunity(long community) {
        if (bgpCommunitiesCount < MAX_LIST) bgpCommunities[bgpCommunitiesCount++] = community;
    }

    /** Appends an MPLS label entry, ignoring what exceeds {@link #MAX_LIST}. */
    public void addMpls(int label, int ttl) {
        if (mplsCount < MAX_LIST) {
            mplsLabel[mplsCount] = label;
            mplsTtl[mplsCount] = ttl;
            mplsCount++;
        }
    }

    /** An IPv4 or IPv6 address held without allocation. */
    public static final class Address {
        public final byte[] bytes = new byte[16];
        /** 0 absent, 4 IPv4, 16 IPv6. */
        public int length;

        public void clear() {
            length = 0;
        }

        public boolean isSet() {
            return length != 0;
        }

        /** Sets an IPv4 address from its 32-bit value. */
        public void setV4(int value) {
            bytes[0] = (byte) (value >>> 24);
            bytes[1] = (byte) (value >>> 16);
            bytes[2] = (byte) (value >>> 8);
            bytes[3] = (byte) value;
            length = 4;
        }

        /** Copies {@code len} (4 or 16) bytes from {@code src} at {@code offset}. */
        public void set(byte[] src, int offset, int len) {
            System.arraycopy(src, offset, bytes, 0, len);
            length = len;
        }

        /** Sets from a 4- or 16-byte buffer region (absolute indexing, buffer position untouched). */
        public void set(java.nio.ByteBuffer src, int offset, int len) {
            src.get(offset, bytes, 0, len);
            length = len;
        }

        public void copyFrom(Address other) {
            System.arraycopy(other.bytes, 0, bytes, 0, other.length);
            length = other.length;
        }

        public byte[] toByteArray() {
            return Arrays.copyOf(bytes, length);
        }

        /** Text form: dotted quad or RFC 5952 IPv6, IPv4-mapped IPv6 shown as IPv4; "" when absent. */
        @Override
        public String toString() {
            return AddressFormat.format(bytes, length);
        }
    }
}

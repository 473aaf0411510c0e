package io.sluice.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.sluice.flow.pb.FlowMessage;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The hand-written encoder against the generated FlowMessage: same bytes, same parse. */
class FlowProtobufEncoderTest {

    /** The reference mapping FlowRecord → FlowMessage, through the generated builder. */
    static FlowMessage reference(FlowRecord r) {
        FlowMessage.Builder b = FlowMessage.newBuilder()
                .setTypeValue(r.type)
                .setTimeReceivedNs(r.timeReceivedNs)
                .setSequenceNum((int) r.sequenceNum)
                .setSamplingRate(r.samplingRate)
                .setSamplingRateSourceValue(r.samplingRateSource)
                .setSamplerAddress(bytes(r.samplerAddress))
                .setExporterAddress(bytes(r.exporterAddress))
                .setExporterPort(r.exporterPort)
                .setSourceId((int) r.sourceId)
                .setTimeFlowStartNs(r.timeFlowStartNs)
                .setTimeFlowEndNs(r.timeFlowEndNs)
                .setBytes(r.bytes)
                .setPackets(r.packets)
                .setFrameLength(r.frameLength)
                .setL3Length(r.l3Length)
                .setSampleSequence((int) r.sampleSequence)
                .setSrcAddr(bytes(r.srcAddr))
                .setDstAddr(bytes(r.dstAddr))
                .setEtype(r.etype)
                .setProto(r.proto)
                .setSrcPort(r.srcPort)
                .setDstPort(r.dstPort)
                .setInIf((int) r.inIf)
                .setOutIf((int) r.outIf)
                .setInIfFormat(r.inIfFormat)
                .setOutIfFormat(r.outIfFormat)
                .setSrcMac(r.srcMac)
                .setDstMac(r.dstMac)
                .setSrcVlan(r.srcVlan)
                .setDstVlan(r.dstVlan)
                .setVlanId(r.vlanId)
                .setIpTos(r.ipTos)
                .setForwardingStatus(r.forwardingStatus)
                .setIpTtl(r.ipTtl)
                .setIpFlags(r.ipFlags)
                .setTcpFlags(r.tcpFlags)
                .setIcmpType(r.icmpType)
                .setIcmpCode(r.icmpCode)
                .setIpv6FlowLabel(r.ipv6FlowLabel)
                .setFragmentId((int) r.fragmentId)
                .setFragmentOffset(r.fragmentOffset)
                .setSrcAs((int) r.srcAs)
                .setDstAs((int) r.dstAs)
                .setNextHop(bytes(r.nextHop))
                .setNextHopAs((int) r.nextHopAs)
                .setSrcPeerAs((int) r.srcPeerAs)
                .setSrcNet(r.srcNet)
                .setDstNet(r.dstNet)
                .setBgpNextHop(bytes(r.bgpNextHop))
                .setObservationDomainId((int) r.observationDomainId)
                .setObservationPointId((int) r.observationPointId)
                .setIngressVrfId((int) r.ingressVrfId)
                .setEgressVrfId((int) r.egressVrfId);
        for (int i = 0; i < r.bgpCommunitiesCount; i++) b.addBgpCommunities((int) r.bgpCommunities[i]);
        for (int i = 0; i < r.asPathCount; i++) b.addAsPath((int) r.asPath[i]);
        for (int i = 0; i < r.mplsCount; i++) {
            b.addMplsLabel(r.mplsLabel[i]);
            b.addMplsTtl(r.mplsTtl[i]);
        }
        if (r.flowDirection >= 0) b.setFlowDirection(r.flowDirection);
        return b.build();
    }

    private static ByteString bytes(FlowRecord.Address a) {
        return ByteString.copyFrom(a.bytes, 0, a.length);
    }

    private static byte[] encode(FlowRecord r) {
        FlowProtobufEncoder encoder = new FlowProtobufEncoder();
        int n = encoder.encode(r);
        return Arrays.copyOf(encoder.buffer(), n);
    }

    private static void assertSameAsGenerated(FlowRecord r) throws Exception {
        FlowMessage expected = reference(r);
        byte[] ours = encode(r);
        assertArrayEquals(expected.toByteArray(), ours, "bytes differ from FlowMessage.toByteArray()");
        assertEquals(expected, FlowMessage.parseFrom(ours));
        assertTrue(ours.length <= FlowProtobufEncoder.MAX_ENCODED_SIZE);
    }

    /** Every field set, IPv4 and IPv6 addresses, full lists. */
    static FlowRecord everyField(long seed, boolean v6) {
        Random rnd = new Random(seed);
        FlowRecord r = new FlowRecord();
        r.type = 1 + rnd.nextInt(4);
        r.timeReceivedNs = rnd.nextLong() & Long.MAX_VALUE;
        r.sequenceNum = rnd.nextInt() & 0xFFFF_FFFFL;
        r.samplingRate = 1 + rnd.nextInt(100_000);
        r.samplingRateSource = 1 + rnd.nextInt(6);
        setAddress(r.samplerAddress, rnd, v6);
        setAddress(r.exporterAddress, rnd, !v6);
        r.exporterPort = 1 + rnd.nextInt(65535);
        r.sourceId = rnd.nextInt() & 0xFFFF_FFFFL;
        r.timeFlowStartNs = rnd.nextLong() >>> 1;
        r.timeFlowEndNs = rnd.nextLong() >>> 1;
        r.bytes = rnd.nextLong() >>> 20;
        r.packets = rnd.nextLong() >>> 30;
        r.frameLength = 64 + rnd.nextInt(1500);
        r.l3Length = 20 + rnd.nextInt(1480);
        r.sampleSequence = rnd.nextInt() & 0xFFFF_FFFFL;
        setAddress(r.srcAddr, rnd, v6);
        setAddress(r.dstAddr, rnd, v6);
        r.etype = v6 ? 0x86dd : 0x0800;
        r.proto = 1 + rnd.nextInt(255);
        r.srcPort = 1 + rnd.nextInt(65535);
        r.dstPort = 1 + rnd.nextInt(65535);
        r.inIf = rnd.nextInt() & 0xFFFF_FFFFL;
        r.outIf = rnd.nextInt() & 0xFFFF_FFFFL;
        r.inIfFormat = 1;
        r.outIfFormat = 2;
        r.srcMac = rnd.nextLong() >>> 16;
        r.dstMac = rnd.nextLong() >>> 16;
        r.srcVlan = 1 + rnd.nextInt(4095);
        r.dstVlan = 1 + rnd.nextInt(4095);
        r.vlanId = 1 + rnd.nextInt(4095);
        r.ipTos = 1 + rnd.nextInt(255);
        r.forwardingStatus = 64 + rnd.nextInt(190);
        r.ipTtl = 1 + rnd.nextInt(255);
        r.ipFlags = 1 + rnd.nextInt(7);
        r.tcpFlags = 1 + rnd.nextInt(255);
        r.icmpType = 1 + rnd.nextInt(255);
        r.icmpCode = 1 + rnd.nextInt(255);
        r.ipv6FlowLabel = 1 + rnd.nextInt(0xFFFFF);
        r.fragmentId = rnd.nextInt() & 0xFFFF_FFFFL;
        r.fragmentOffset = 1 + rnd.nextInt(8191);
        r.srcAs = rnd.nextInt() & 0xFFFF_FFFFL;
        r.dstAs = rnd.nextInt() & 0xFFFF_FFFFL;
        setAddress(r.nextHop, rnd, v6);
        r.nextHopAs = rnd.nextInt() & 0xFFFF_FFFFL;
        r.srcPeerAs = rnd.nextInt() & 0xFFFF_FFFFL;
        r.srcNet = 1 + rnd.nextInt(v6 ? 128 : 32);
        r.dstNet = 1 + rnd.nextInt(v6 ? 128 : 32);
        setAddress(r.bgpNextHop, rnd, v6);
        for (int i = 0; i < FlowRecord.MAX_LIST; i++) {
            r.addCommunity(rnd.nextInt() & 0xFFFF_FFFFL);
            r.addAsPath(rnd.nextInt() & 0xFFFF_FFFFL);
            r.addMpls(rnd.nextInt(1 << 20), rnd.nextInt(256));
        }
        r.observationDomainId = rnd.nextInt() & 0xFFFF_FFFFL;
        r.observationPointId = rnd.nextInt() & 0xFFFF_FFFFL;
        r.flowDirection = rnd.nextInt(2);
        r.ingressVrfId = rnd.nextInt() & 0xFFFF_FFFFL;
        r.egressVrfId = rnd.nextInt() & 0xFFFF_FFFFL;
        return r;
    }

    private static void setAddress(FlowRecord.Address a, Random rnd, boolean v6) {
        byte[] b = new byte[v6 ? 16 : 4];
        rnd.nextBytes(b);
        a.set(b, 0, b.length);
    }

    @Test
    void everyFieldSetIpv4() throws Exception {
        FlowRecord r = everyField(1, false);
        assertSameAsGenerated(r);
        FlowMessage m = FlowMessage.parseFrom(encode(r));
        assertEquals(16, m.getAsPathCount());
        assertEquals(16, m.getMplsLabelCount());
        assertEquals(4, m.getSrcAddr().size());
        assertTrue(m.hasFlowDirection());
    }

    @Test
    void everyFieldSetIpv6() throws Exception {
        FlowRecord r = everyField(2, true);
        assertSameAsGenerated(r);
        assertEquals(16, FlowMessage.parseFrom(encode(r)).getDstAddr().size());
    }

    /** Fields of flow.proto a FlowRecord has no place for; any other field unset in everyField means the encoder lags the schema. */
    private static final java.util.Set<String> NOT_IN_RECORD =
            java.util.Set.of("mpls_ip", "layer_stack", "layer_size", "ipv6_routing_header_addresses", "ipv6_routing_header_seg_left");

    @Test
    void everyFieldOfTheSchemaIsCovered() throws Exception {
        FlowMessage m = FlowMessage.parseFrom(encode(everyField(4, true)));
        for (com.google.protobuf.Descriptors.FieldDescriptor f : FlowMessage.getDescriptor().getFields()) {
            if (NOT_IN_RECORD.contains(f.getName())) continue;
            boolean set = f.isRepeated() ? m.getRepeatedFieldCount(f) > 0 : m.hasField(f);
            assertTrue(set, "flow.proto field " + f.getName() + " (" + f.getNumber() + ") is not encoded");
        }
    }

    @Test
    void emptyRecordIsEmptyMessage() throws Exception {
        FlowRecord r = new FlowRecord();
        assertEquals(0, encode(r).length);
        assertSameAsGenerated(r);
        assertFalse(FlowMessage.parseFrom(encode(r)).hasFlowDirection());
    }

    @Test
    void flowDirectionZeroIsPresent() throws Exception {
        FlowRecord r = new FlowRecord();
        r.flowDirection = 0;
        assertSameAsGenerated(r);
        FlowMessage m = FlowMessage.parseFrom(encode(r));
        assertTrue(m.hasFlowDirection());
        assertEquals(0, m.getFlowDirection());
    }

    @Test
    void maxUnsignedValues() throws Exception {
        FlowRecord r = new FlowRecord();
        r.timeReceivedNs = -1L; // uint64 max
        r.bytes = -1L;
        r.packets = -1L;
        r.samplingRate = -1L;
        r.srcMac = 0xFFFF_FFFF_FFFFL;
        r.sequenceNum = 0xFFFF_FFFFL; // uint32 max
        r.inIf = 0xFFFF_FFFFL;
        r.srcAs = 0xFFFF_FFFFL;
        r.fragmentId = 0xFFFF_FFFFL;
        r.sourceId = 0xFFFF_FFFFL;
        r.srcPort = 65535;
        r.ipv6FlowLabel = 0xFFFFF;
        r.flowDirection = 1;
        r.addAsPath(0xFFFF_FFFFL);
        r.addAsPath(0);
        r.addCommunity(0xFFFF_FFFFL);
        r.addMpls(0xFFFFF, 255);
        r.addMpls(0, 0);
        assertSameAsGenerated(r);
        FlowMessage m = FlowMessage.parseFrom(encode(r));
        assertEquals(-1L, m.getBytes());
        assertEquals(0xFFFF_FFFFL, Integer.toUnsignedLong(m.getInIf()));
        assertEquals(0L, Integer.toUnsignedLong(m.getAsPath(1)));
        assertEquals(0, m.getMplsTtl(1));
    }

    @Test
    void negativeEnumIsSignExtendedLikeProtobufJava() throws Exception {
        FlowRecord r = new FlowRecord();
        r.type = -1;
        r.samplingRateSource = -5;
        assertSameAsGenerated(r);
    }

    @Test
    void reusedBufferHoldsOnlyTheLastRecord() throws Exception {
        FlowProtobufEncoder encoder = new FlowProtobufEncoder();
        encoder.encode(everyField(3, true));
        FlowRecord small = new FlowRecord();
        small.proto = 6;
        int n = encoder.encode(small);
        assertEquals(FlowMessage.newBuilder().setProto(6).build(), FlowMessage.parseFrom(Arrays.copyOf(encoder.buffer(), n)));
    }

    @Property(tries = 300)
    void randomRecordsMatchGenerated(@ForAll long seed, @ForAll boolean v6, @ForAll boolean clearSome) throws Exception {
        FlowRecord r = everyField(seed, v6);
        if (clearSome) {
            Random rnd = new Random(seed ^ 0x5eed);
            if (rnd.nextBoolean()) r.srcAddr.clear();
            if (rnd.nextBoolean()) r.mplsCount = rnd.nextInt(3);
            if (rnd.nextBoolean()) r.asPathCount = 0;
            if (rnd.nextBoolean()) r.flowDirection = -1;
            if (rnd.nextBoolean()) r.bytes = 0;
            if (rnd.nextBoolean()) r.inIf = 0;
        }
        assertSameAsGenerated(r);
    }
}

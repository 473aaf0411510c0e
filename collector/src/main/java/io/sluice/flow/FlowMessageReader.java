package io.sluice.flow;

import com.google.protobuf.ByteString;
import io.sluice.flow.pb.FlowMessage;

/**
 * A FlowMessage read back from Kafka into a {@link FlowRecord}, so what sluice wrote is printed by the
 * one JSON writer ({@link FlowJson}) the decoder's flows go through (`bin/run-local watch`). The inverse
 * of {@link FlowProtobufEncoder} for every field the record holds (the test round-trips them).
 */
public final class FlowMessageReader {
    private FlowMessageReader() {}

    public static FlowRecord read(FlowMessage m, FlowRecord f) {
        f.clear();
        f.type = m.getTypeValue();
        f.timeReceivedNs = m.getTimeReceivedNs();
        f.sequenceNum = u32(m.getSequenceNum());
        f.samplingRate = m.getSamplingRate();
        f.samplingRateSource = m.getSamplingRateSourceValue();
        address(m.getSamplerAddress(), f.samplerAddress);
        address(m.getExporterAddress(), f.exporterAddress);
        f.exporterPort = m.getExporterPort();
        f.sourceId = u32(m.getSourceId());
        f.timeFlowStartNs = m.getTimeFlowStartNs();
        f.timeFlowEndNs = m.getTimeFlowEndNs();
        f.bytes = m.getBytes();
        f.packets = m.getPackets();
        f.frameLength = m.getFrameLength();
        f.l3Length = m.getL3Length();
        f.sampleSequence = u32(m.getSampleSequence());
        address(m.getSrcAddr(), f.srcAddr);
        address(m.getDstAddr(), f.dstAddr);
        f.etype = m.getEtype();
        f.proto = m.getProto();
        f.srcPort = m.getSrcPort();
        f.dstPort = m.getDstPort();
        f.inIf = u32(m.getInIf());
        f.outIf = u32(m.getOutIf());
        f.inIfFormat = m.getInIfFormat();
        f.outIfFormat = m.getOutIfFormat();
        f.srcMac = m.getSrcMac();
        f.dstMac = m.getDstMac();
        f.srcVlan = m.getSrcVlan();
        f.dstVlan = m.getDstVlan();
        f.vlanId = m.getVlanId();
        f.ipTos = m.getIpTos();
        f.forwardingStatus = m.getForwardingStatus();
        f.ipTtl = m.getIpTtl();
        f.ipFlags = m.getIpFlags();
        f.tcpFlags = m.getTcpFlags();
        f.icmpType = m.getIcmpType();
        f.icmpCode = m.getIcmpCode();
        f.ipv6FlowLabel = m.getIpv6FlowLabel();
        f.fragmentId = u32(m.getFragmentId());
        f.fragmentOffset = m.getFragmentOffset();
        f.srcAs = u32(m.getSrcAs());
        f.dstAs = u32(m.getDstAs());
        address(m.getNextHop(), f.nextHop);
        f.nextHopAs = u32(m.getNextHopAs());
        f.srcPeerAs = u32(m.getSrcPeerAs());
        f.srcNet = m.getSrcNet();
        f.dstNet = m.getDstNet();
        address(m.getBgpNextHop(), f.bgpNextHop);
        for (int c : m.getBgpCommunitiesList()) f.addCommunity(u32(c));
        for (int a : m.getAsPathList()) f.addAsPath(u32(a));
        for (int i = 0; i < Math.min(m.getMplsLabelCount(), m.getMplsTtlCount()); i++) f.addMpls(m.getMplsLabel(i), m.getMplsTtl(i));
        f.observationDomainId = u32(m.getObservationDomainId());
        f.observationPointId = u32(m.getObservationPointId());
        f.flowDirection = m.hasFlowDirection() ? m.getFlowDirection() : -1;
        f.ingressVrfId = u32(m.getIngressVrfId());
        f.egressVrfId = u32(m.getEgressVrfId());
        return f;
    }

    private static long u32(int v) {
        return v & 0xFFFF_FFFFL;
    }

    private static void address(ByteString b, FlowRecord.Address a) {
        int n = b.size();
        if (n == 4 || n == 16) {
            b.copyTo(a.bytes, 0);
            a.length = n;
        } else {
            a.clear();
        }
    }
}

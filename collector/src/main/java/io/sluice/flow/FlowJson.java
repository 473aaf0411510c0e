package io.sluice.flow;

/**
 * One flow as a JSON object, for `sluice decode`, the file output and `bin/run-local watch`, in one of
 * two {@link JsonStyle}s. Default ({@link JsonStyle#SLUICE}): keyed by the flow.proto field names
 * (snake_case), only fields that are set (as protobuf's JSON omits defaults), addresses as text, MACs
 * as aa:bb:cc:dd:ee:ff, enums by name, counters as numbers.
 */
public final class FlowJson {
    private static final String[] TYPES = {"FLOWUNKNOWN", "SFLOW_5", "NETFLOW_V5", "NETFLOW_V9", "IPFIX"};

    private FlowJson() {}

    public static String toJson(FlowRecord f) {
        StringBuilder sb = new StringBuilder(512);
        append(f, sb);
        return sb.toString();
    }

    public static String toJson(FlowRecord f, JsonStyle style) {
        StringBuilder sb = new StringBuilder(1024);
        append(f, sb, style);
        return sb.toString();
    }

    public static void append(FlowRecord f, StringBuilder sb) {
        append(f, sb, JsonStyle.SLUICE);
    }

    public static void append(FlowRecord f, StringBuilder sb, JsonStyle style) {
        JsonFields w = new JsonFields(sb);
        if (style == JsonStyle.GOFLOW2) {
            goflow2Fields(f, w);
            sluiceOwnFields(f, w);
            w.end();
            return;
        }
        w.text("type", typeName(f.type));
        w.num("time_received_ns", f.timeReceivedNs);
        w.num("sequence_num", f.sequenceNum);
        w.num("sample_sequence", f.sampleSequence);
        w.num("sampling_rate", f.samplingRate);
        var rateSource = io.sluice.flow.pb.FlowMessage.SamplingRateSource.forNumber(f.samplingRateSource);
        if (f.samplingRateSource != SamplingSource.UNKNOWN && rateSource != null) {
            w.text("sampling_rate_source", rateSource.name()); // the names of flow.proto, declared there only
        }
        w.addr("sampler_address", f.samplerAddress);
        w.addr("exporter_address", f.exporterAddress);
        w.num("exporter_port", f.exporterPort);
        w.num("source_id", f.sourceId);
        w.num("time_flow_start_ns", f.timeFlowStartNs);
        w.num("time_flow_end_ns", f.timeFlowEndNs);
        w.num("bytes", f.bytes);
        w.num("packets", f.packets);
        w.num("frame_length", f.frameLength);
        w.num("l3_length", f.l3Length);
        w.addr("src_addr", f.srcAddr);
        w.addr("dst_addr", f.dstAddr);
        w.num("etype", f.etype);
        w.num("proto", f.proto);
        w.num("src_port", f.srcPort);
        w.num("dst_port", f.dstPort);
        w.num("in_if", f.inIf);
        w.num("out_if", f.outIf);
        w.num("in_if_format", f.inIfFormat);
        w.num("out_if_format", f.outIfFormat);
        w.mac("src_mac", f.srcMac);
        w.mac("dst_mac", f.dstMac);
        w.num("src_vlan", f.srcVlan & 0xFFFF_FFFFL);
        w.num("dst_vlan", f.dstVlan & 0xFFFF_FFFFL);
        w.num("vlan_id", f.vlanId);
        w.num("ip_tos", f.ipTos);
        w.num("forwarding_status", f.forwardingStatus);
        w.num("ip_ttl", f.ipTtl);
        w.num("ip_flags", f.ipFlags);
        w.num("tcp_flags", f.tcpFlags);
        w.num("icmp_type", f.icmpType);
        w.num("icmp_code", f.icmpCode);
        w.num("ipv6_flow_label", f.ipv6FlowLabel);
        w.num("fragment_id", f.fragmentId);
        w.num("fragment_offset", f.fragmentOffset);
        w.num("src_as", f.srcAs);
        w.num("dst_as", f.dstAs);
        w.addr("next_hop", f.nextHop);
        w.num("next_hop_as", f.nextHopAs);
        w.num("src_peer_as", f.srcPeerAs);
        w.num("src_net", f.srcNet);
        w.num("dst_net", f.dstNet);
        w.addr("bgp_next_hop", f.bgpNextHop);
        w.list("bgp_communities", f.bgpCommunities, f.bgpCommunitiesCount);
        w.list("as_path", f.asPath, f.asPathCount);
        w.list("mpls_label", f.mplsLabel, f.mplsCount);
        w.list("mpls_ttl", f.mplsTtl, f.mplsCount);
        if (f.mplsIp.isSet()) w.addrList("mpls_ip", f.mplsIp);
        w.num("observation_domain_id", f.observationDomainId);
        w.num("observation_point_id", f.observationPointId);
        if (f.flowDirection >= 0) w.forceNum("flow_direction", f.flowDirection);
        w.num("ingress_vrf_id", f.ingressVrfId);
        w.num("egress_vrf_id", f.egressVrfId);
        w.end();
    }

    static String typeName(int type) {
        return type >= 0 && type < TYPES.length ? TYPES[type] : Integer.toString(type);
    }

    /**
     * goflow2's default JSON formatter: every FlowMessage field in declaration order, zero values
     * included; addresses as text ("" when absent), MACs as text, type by name, etype and proto by
     * name, src_net/dst_net as the address's CIDR prefix. Fields sluice does not hold print empty.
     */
    private static void goflow2Fields(FlowRecord f, JsonFields w) {
        w.text("type", typeName(f.type));
        w.forceNum("time_received_ns", f.timeReceivedNs);
        w.forceNum("sequence_num", f.sequenceNum);
        w.forceNum("sampling_rate", f.samplingRate);
        w.forceAddr("sampler_address", f.samplerAddress);
        w.forceNum("time_flow_start_ns", f.timeFlowStartNs);
        w.forceNum("time_flow_end_ns", f.timeFlowEndNs);
        w.forceNum("bytes", f.bytes);
        w.forceNum("packets", f.packets);
        w.forceAddr("src_addr", f.srcAddr);
        w.forceAddr("dst_addr", f.dstAddr);
        w.text("etype", Goflow2Names.etype(f.etype));
        w.text("proto", Goflow2Names.proto(f.proto));
        w.forceNum("src_port", f.srcPort);
        w.forceNum("dst_port", f.dstPort);
        w.forceNum("in_if", f.inIf);
        w.forceNum("out_if", f.outIf);
        w.forceMac("src_mac", f.srcMac);
        w.forceMac("dst_mac", f.dstMac);
        w.forceNum("src_vlan", f.srcVlan & 0xFFFF_FFFFL);
        w.forceNum("dst_vlan", f.dstVlan & 0xFFFF_FFFFL);
        w.forceNum("vlan_id", f.vlanId);
        w.forceNum("ip_tos", f.ipTos);
        w.forceNum("forwarding_status", f.forwardingStatus);
        w.forceNum("ip_ttl", f.ipTtl);
        w.forceNum("ip_flags", f.ipFlags);
        w.forceNum("tcp_flags", f.tcpFlags);
        w.forceNum("icmp_type", f.icmpType);
        w.forceNum("icmp_code", f.icmpCode);
        w.forceNum("ipv6_flow_label", f.ipv6FlowLabel);
        w.forceNum("fragment_id", f.fragmentId);
        w.forceNum("fragment_offset", f.fragmentOffset);
        w.forceNum("src_as", f.srcAs);
        w.forceNum("dst_as", f.dstAs);
        w.forceAddr("next_hop", f.nextHop);
        w.forceNum("next_hop_as", f.nextHopAs);
        w.text("src_net", Goflow2Names.prefix(f.srcAddr, f.srcNet));
        w.text("dst_net", Goflow2Names.prefix(f.dstAddr, f.dstNet));
        w.forceAddr("bgp_next_hop", f.bgpNextHop);
        w.forceList("bgp_communities", f.bgpCommunities, f.bgpCommunitiesCount);
        w.forceList("as_path", f.asPath, f.asPathCount);
        w.forceList("mpls_ttl", f.mplsTtl, f.mplsCount);
        w.forceList("mpls_label", f.mplsLabel, f.mplsCount);
        if (f.mplsIp.isSet()) w.addrList("mpls_ip", f.mplsIp);
        else w.emptyList("mpls_ip");
        w.forceNum("observation_domain_id", f.observationDomainId);
        w.forceNum("observation_point_id", f.observationPointId);
        w.emptyList("layer_stack");
        w.emptyList("layer_size");
        w.emptyList("ipv6_routing_header_addresses");
        w.forceNum("ipv6_routing_header_seg_left", 0);
    }

    /** sluice's own fields (flow.proto numbers 39-42 and >= 1000), when set. */
    private static void sluiceOwnFields(FlowRecord f, JsonFields w) {
        var rateSource = io.sluice.flow.pb.FlowMessage.SamplingRateSource.forNumber(f.samplingRateSource);
        if (f.samplingRateSource != SamplingSource.UNKNOWN && rateSource != null) {
            w.text("sampling_rate_source", rateSource.name());
        }
        w.addr("exporter_address", f.exporterAddress);
        w.num("exporter_port", f.exporterPort);
        w.num("source_id", f.sourceId);
        w.num("sample_sequence", f.sampleSequence);
        w.num("frame_length", f.frameLength);
        w.num("l3_length", f.l3Length);
        w.num("in_if_format", f.inIfFormat);
        w.num("out_if_format", f.outIfFormat);
        w.num("src_peer_as", f.srcPeerAs);
        if (f.flowDirection >= 0) w.forceNum("flow_direction", f.flowDirection);
        w.num("ingress_vrf_id", f.ingressVrfId);
        w.num("egress_vrf_id", f.egressVrfId);
    }
}

package io.sluice.flow;

/**
 * One flow as a JSON object, keyed by the flow.proto field names (snake_case), for `sluice decode`
 * and the file output. Only fields that are set are written (as protobuf's JSON omits defaults);
 * addresses as text, MACs as aa:bb:cc:dd:ee:ff, enums by name.
 */
public final class FlowJson {
    private static final String[] TYPES = {"FLOWUNKNOWN", "SFLOW_5", "NETFLOW_V5", "NETFLOW_V9", "IPFIX"};

    private FlowJson() {}

    public static String toJson(FlowRecord f) {
        StringBuilder sb = new StringBuilder(512);
        append(f, sb);
        return sb.toString();
    }

    public static void append(FlowRecord f, StringBuilder sb) {
        Writer w = new Writer(sb);
        w.text("type", f.type >= 0 && f.type < TYPES.length ? TYPES[f.type] : Integer.toString(f.type));
        w.num("time_received_ns", f.timeReceivedNs);
        w.num("sequence_num", f.sequenceNum);
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
        w.num("src_vlan", f.srcVlan);
        w.num("dst_vlan", f.dstVlan);
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
        sb.append('}');
    }

    /** Writes `"key":value` pairs, the first preceded by '{'. */
    private static final class Writer {
        private final StringBuilder sb;
        private boolean first = true;

        Writer(StringBuilder sb) {
            this.sb = sb;
        }

        private void key(String k) {
            sb.append(first ? '{' : ',').append('"').append(k).append("\":");
            first = false;
        }

        void num(String k, long v) {
            if (v != 0) forceNum(k, v);
        }

        void forceNum(String k, long v) {
            key(k);
            sb.append(v);
        }

        void text(String k, String v) {
            key(k);
            sb.append('"').append(v).append('"');
        }

        void addr(String k, FlowRecord.Address a) {
            if (a.isSet()) text(k, a.toString());
        }

        /** A repeated address field holding one address (as goflow2 prints repeated bytes: a list). */
        void addrList(String k, FlowRecord.Address a) {
            key(k);
            sb.append("[\"").append(a.toString()).append("\"]");
        }

        void mac(String k, long mac) {
            if (mac == 0) return;
            key(k);
            sb.append('"');
            for (int shift = 40; shift >= 0; shift -= 8) {
                int octet = (int) (mac >>> shift) & 0xff;
                sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xf, 16));
                if (shift > 0) sb.append(':');
            }
            sb.append('"');
        }

        void list(String k, long[] values, int count) {
            if (count == 0) return;
            key(k);
            sb.append('[');
            for (int i = 0; i < count; i++) sb.append(i == 0 ? "" : ",").append(values[i]);
            sb.append(']');
        }

        void list(String k, int[] values, int count) {
            if (count == 0) return;
            key(k);
            sb.append('[');
            for (int i = 0; i < count; i++) sb.append(i == 0 ? "" : ",").append(values[i]);
            sb.append(']');
        }
    }
}

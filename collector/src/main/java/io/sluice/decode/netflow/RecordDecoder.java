package io.sluice.decode.netflow;

import static io.sluice.decode.netflow.Bytes.u16;
import static io.sluice.decode.netflow.Bytes.u8;
import static io.sluice.decode.netflow.Bytes.uint;

import io.sluice.decode.Protocol;
import io.sluice.decode.packet.Decapsulation;
import io.sluice.decode.packet.PacketHeaderParser;
import io.sluice.decode.template.MessageHeader;
import io.sluice.decode.template.SamplingRate;
import io.sluice.decode.template.SamplingTable;
import io.sluice.decode.template.Template;
import io.sluice.decode.template.TemplateKey;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.SamplingSource;
import java.nio.ByteBuffer;

/**
 * Turns one NetFlow v9 / IPFIX data record into a {@link FlowRecord} (or, for options records, into
 * sampling-table and system-init-time entries of the shared store). One per decoder instance: it owns
 * the reused record and the per-record scratch state, so the hot path allocates nothing.
 *
 * <p>Where several IEs carry one value, precedence is fixed: octet/packet delta counts (1/2) over
 * totals (85/86) over post counts (23/24); ingress/egressInterface (10/14) over the physical ones
 * (252/253); vlanId/postVlanId (58/59) over dot1q (243/254); source/destinationMac (56/80) over the
 * post ones (81/57); ipTTL (192) over minimumTTL (52). A zero address never overwrites a non-zero one
 * (templates often carry both an IPv4 and an IPv6 field, one of them zero).
 */
final class RecordDecoder {
    private static final long NTP_TO_UNIX_SECONDS = 2_208_988_800L;

    private final Protocol protocol;
    private final SamplingTable sampling;
    private final SamplingDefaults defaults;
    private final Decapsulation decapsulation;
    private final FlowRecord flow = new FlowRecord();
    private final FlowRecord.Address scratch = new FlowRecord.Address();
    /** The current set's exporter/version/domain with id 0: the key of per-domain sampling state. */
    private final TemplateKey domainKey = new TemplateKey();
    /** The same, re-targeted at a sampler/selector id for each sampler-table lookup. */
    private final TemplateKey samplerKey = new TemplateKey();

    // Per-record scratch: which of several fields for one value was seen (priorities), and values the
    // flow gets only after all fields are read.
    private int bytesRank, packetsRank;
    private boolean hasInIf, hasOutIf, hasSrcVlan, hasDstVlan, hasSrcMac, hasDstMac, hasTtl, hasIcmp;
    private boolean hasReverseTcpFlags;
    private long physIn, physOut, dot1qVlan, postDot1qVlan, postSrcMac, postDstMac;
    private int minTtl, ipVersion;
    private long samplingInterval, packetInterval, packetSpace, samplingSize, samplingPopulation, samplerId;
    private boolean hasPacketSpace;
    private long startUptime = -1, endUptime = -1, systemInitMillis;
    private int frameOffset = -1, frameLength;
    private long reverseOctets, reversePackets;
    private int reverseTcpFlags;
    private int flowsOfLastRecord;
    /** The last record's times came from the export time (see finish). */
    private boolean timesFromExportTime;

    RecordDecoder(Protocol protocol, SamplingTable sampling, SamplingDefaults defaults, Decapsulation decapsulation) {
        this.protocol = protocol;
        this.sampling = sampling;
        this.defaults = defaults;
        this.decapsulation = decapsulation;
    }

    // Sampling-table answers cached for one set: options change rarely, records of a set are many.
    private SamplingRate setDomainRate;
    /** IPFIX systemInitTimeMilliseconds (160) of the domain's options: the base of flowStart/EndSysUpTime. */
    private long setSystemInitMillis;
    private long cachedSamplerId;
    private SamplingRate cachedSamplerRate;

    /** The header of the message whose set is being decoded (set by {@link #startSet}). */
    private MessageHeader header;

    /** Called before the records of a set, with the header of the message the set came in. */
    void startSet(MessageHeader messageHeader) {
        header = messageHeader;
        domainKey.set(header.exporter(), header.exporterLength(), header.version(), header.domain(), 0);
        samplerKey.set(header.exporter(), header.exporterLength(), header.version(), header.domain(), 0);
        setDomainRate = sampling.domainRate(domainKey);
        setSystemInitMillis = header.version() == 10 ? sampling.systemInitMillis(domainKey) : 0;
        cachedSamplerId = -1;
    }

    int flowsOfLastRecord() {
        return flowsOfLastRecord;
    }

    /** Whether the last flow record's times were derived from the export time. */
    boolean timesFromExportTime() {
        return timesFromExportTime;
    }

    private void resetScratch() {
        bytesRank = packetsRank = 0;
        hasInIf = hasOutIf = hasSrcVlan = hasDstVlan = hasSrcMac = hasDstMac = hasTtl = hasIcmp = false;
        hasReverseTcpFlags = false;
        physIn = physOut = dot1qVlan = postDot1qVlan = postSrcMac = postDstMac = 0;
        minTtl = ipVersion = 0;
        samplingInterval = packetInterval = packetSpace = samplingSize = samplingPopulation = 0;
        samplerId = -1;
        hasPacketSpace = false;
        startUptime = endUptime = -1;
        systemInitMillis = 0;
        frameOffset = -1;
        frameLength = 0;
        timesFromExportTime = false;
        reverseOctets = reversePackets = 0;
        reverseTcpFlags = 0;
    }

    /** Decodes one flow record at {@code p}, emits it (twice for an RFC 5103 biflow); returns the next position or -1. */
    int readFlow(Template t, ByteBuffer b, int p, int end, FlowSink sink) {
        flowsOfLastRecord = 0;
        FlowRecord f = flow;
        f.clear();
        resetScratch();
        p = readFields(t, b, p, end, f);
        if (p < 0) return -1;
        finish(b, f);
        sink.flow(f);
        flowsOfLastRecord = 1;
        if (reversePackets != 0 || reverseOctets != 0) {
            reverse(f);
            sink.flow(f);
            flowsOfLastRecord = 2;
        }
        return p;
    }

    /**
     * Reads every field of one record at {@code p} into {@code f} and the scratch state; returns the
     * position after the record, or -1 if a field overruns {@code end}. The loop and the per-field
     * switch are one method on purpose: the JIT then compiles a record without a call per field.
     */
    private int readFields(Template t, ByteBuffer b, int p, int end, FlowRecord f) {
        final int[] ops = t.ops;
        if (t.fixedLength && end - p < t.minRecordLength) return -1; // then every fixed field fits
        final boolean variable = !t.fixedLength;
        for (int op : ops) {
            int len = op & 0xFFFF;
            if (variable) {
                if (len == Template.VARIABLE) { // 1-byte length, or 255 then a 2-byte length
                    if (p >= end) return -1;
                    len = b.get(p++) & 0xFF;
                    if (len == 255) {
                        if (p + 2 > end) return -1;
                        len = b.getShort(p) & 0xFFFF;
                        p += 2;
                    }
                }
                if (p + len > end) return -1;
            }
            int kind = op >>> 16;
            if (kind == FieldKind.SKIP || len == 0) {
                p += len;
                continue;
            }
            // The value, read once (unsigned; reduced-size encodings too); 0 for fields longer than 8.
            long v = switch (len) {
                case 1 -> b.get(p) & 0xFFL;
                case 2 -> b.getShort(p) & 0xFFFFL;
                case 4 -> b.getInt(p) & 0xFFFF_FFFFL;
                case 8 -> b.getLong(p);
                default -> len < 8 ? uint(b, p, len) : 0;
            };
            switch (kind) {
                case FieldKind.SKIP -> { }
                case FieldKind.OCTETS -> { f.bytes = v; bytesRank = 3; }
                case FieldKind.PACKETS -> { f.packets = v; packetsRank = 3; }
                case FieldKind.OCTETS_TOTAL -> { if (bytesRank < 2) { f.bytes = v; bytesRank = 2; } }
                case FieldKind.PACKETS_TOTAL -> { if (packetsRank < 2) { f.packets = v; packetsRank = 2; } }
                case FieldKind.POST_OCTETS -> { if (bytesRank < 1) { f.bytes = v; bytesRank = 1; } }
                case FieldKind.POST_PACKETS -> { if (packetsRank < 1) { f.packets = v; packetsRank = 1; } }
                case FieldKind.PROTO -> f.proto = (int) v;
                case FieldKind.TOS -> f.ipTos = (int) v;
                case FieldKind.TCP_FLAGS -> f.tcpFlags = (int) v & 0xFFF;
                case FieldKind.SRC_PORT -> f.srcPort = (int) v;
                case FieldKind.DST_PORT -> f.dstPort = (int) v;
                case FieldKind.SRC_ADDR -> address(f.srcAddr, b, p, len);
                case FieldKind.DST_ADDR -> address(f.dstAddr, b, p, len);
                case FieldKind.SRC_MASK -> f.srcNet = (int) v;
                case FieldKind.DST_MASK -> f.dstNet = (int) v;
                case FieldKind.IN_IF -> { f.inIf = v; hasInIf = true; }
                case FieldKind.OUT_IF -> { f.outIf = v; hasOutIf = true; }
                case FieldKind.IN_PHYS_IF -> physIn = v;
                case FieldKind.OUT_PHYS_IF -> physOut = v;
                case FieldKind.SRC_AS -> f.srcAs = v;
                case FieldKind.DST_AS -> f.dstAs = v;
                case FieldKind.NEXT_HOP -> address(f.nextHop, b, p, len);
                case FieldKind.BGP_NEXT_HOP -> address(f.bgpNextHop, b, p, len);
                case FieldKind.SRC_VLAN -> { f.srcVlan = (int) v & 0xFFF; hasSrcVlan = true; }
                case FieldKind.DST_VLAN -> { f.dstVlan = (int) v & 0xFFF; hasDstVlan = true; }
                case FieldKind.DOT1Q_VLAN -> dot1qVlan = v & 0xFFF;
                case FieldKind.POST_DOT1Q_VLAN -> postDot1qVlan = v & 0xFFF;
                case FieldKind.SRC_MAC -> { if (len == 6) { f.srcMac = v; hasSrcMac = true; } }
                case FieldKind.DST_MAC -> { if (len == 6) { f.dstMac = v; hasDstMac = true; } }
                case FieldKind.POST_DST_MAC -> { if (len == 6) postDstMac = v; }
                case FieldKind.POST_SRC_MAC -> { if (len == 6) postSrcMac = v; }
                case FieldKind.DIRECTION -> { if (v == 0 || v == 1) f.flowDirection = (int) v; } // else: unsaid
                case FieldKind.FORWARDING_STATUS -> f.forwardingStatus = (int) v;
                case FieldKind.ICMP_TYPE_CODE -> {
                    int tc = (int) v;
                    f.icmpType = (tc >>> 8) & 0xFF;
                    f.icmpCode = tc & 0xFF;
                    hasIcmp = true;
                }
                case FieldKind.ICMP_TYPE -> { f.icmpType = (int) v & 0xFF; hasIcmp = true; }
                case FieldKind.ICMP_CODE -> { f.icmpCode = (int) v & 0xFF; hasIcmp = true; }
                case FieldKind.FRAGMENT_ID -> f.fragmentId = v;
                case FieldKind.FRAGMENT_OFFSET -> f.fragmentOffset = (int) v;
                case FieldKind.FLOW_LABEL -> f.ipv6FlowLabel = (int) v & 0xFFFFF;
                case FieldKind.MPLS_LABEL -> {
                    // 3 bytes: 20-bit label, 3 EXP bits, bottom-of-stack bit. Zero entries are unused slots.
                    if (len == 3) {
                        int entry = (int) v;
                        if (entry != 0) f.addMpls(entry >>> 4, 0);
                    }
                }
                case FieldKind.MPLS_TOP_ADDRESS -> address(f.mplsIp, b, p, len);
                case FieldKind.INGRESS_VRF -> f.ingressVrfId = v;
                case FieldKind.EGRESS_VRF -> f.egressVrfId = v;
                case FieldKind.START_UPTIME -> startUptime = v;
                case FieldKind.END_UPTIME -> endUptime = v;
                case FieldKind.START_SECONDS -> f.timeFlowStartNs = v * 1_000_000_000L;
                case FieldKind.END_SECONDS -> f.timeFlowEndNs = v * 1_000_000_000L;
                case FieldKind.START_MILLIS -> f.timeFlowStartNs = v * 1_000_000L;
                case FieldKind.END_MILLIS -> f.timeFlowEndNs = v * 1_000_000L;
                case FieldKind.START_NTP -> { if (len == 8) f.timeFlowStartNs = ntpToUnixNanos(v, false); }
                case FieldKind.END_NTP -> { if (len == 8) f.timeFlowEndNs = ntpToUnixNanos(v, false); }
                case FieldKind.START_NTP_MICROS -> { if (len == 8) f.timeFlowStartNs = ntpToUnixNanos(v, true); }
                case FieldKind.END_NTP_MICROS -> { if (len == 8) f.timeFlowEndNs = ntpToUnixNanos(v, true); }
                case FieldKind.START_DELTA_MICROS ->
                    f.timeFlowStartNs = header.exportTimeSecs() * 1_000_000_000L - v * 1_000L;
                case FieldKind.END_DELTA_MICROS ->
                    f.timeFlowEndNs = header.exportTimeSecs() * 1_000_000_000L - v * 1_000L;
                case FieldKind.OBSERVATION_POINT -> f.observationPointId = v;
                case FieldKind.OBSERVATION_DOMAIN -> f.observationDomainId = v;
                case FieldKind.FRAME_SECTION -> { frameOffset = p; frameLength = len; }
                case FieldKind.TTL -> { f.ipTtl = (int) v & 0xFF; hasTtl = true; }
                case FieldKind.MIN_TTL -> minTtl = (int) v & 0xFF;
                case FieldKind.IP_VERSION -> ipVersion = (int) v;
                case FieldKind.SAMPLING_INTERVAL -> samplingInterval = v;
                case FieldKind.SAMPLER_ID -> samplerId = v;
                case FieldKind.PACKET_INTERVAL -> packetInterval = v;
                case FieldKind.PACKET_SPACE -> { packetSpace = v; hasPacketSpace = true; }
                case FieldKind.SAMPLING_SIZE -> samplingSize = v;
                case FieldKind.SAMPLING_POPULATION -> samplingPopulation = v;
                case FieldKind.REVERSE_OCTETS -> reverseOctets = v;
                case FieldKind.REVERSE_PACKETS -> reversePackets = v;
                case FieldKind.REVERSE_TCP_FLAGS -> { reverseTcpFlags = (int) v & 0xFFF; hasReverseTcpFlags = true; }
                case FieldKind.SYSTEM_INIT_MILLIS -> systemInitMillis = v;
                case FieldKind.JUNIPER_CPID -> {
                    // Juniper resiliency reporting: a 2-byte common properties id whose top 6 bits 0b000010
                    // announce a forwarding exception code in the low 10 bits; non-zero = dropped.
                    if (len == 2 && (v >>> 10) == 0x02) f.forwardingStatus = (v & 0x3FF) == 0 ? 64 : 128;
                }
                default -> { }
            }
            p += len;
        }
        return p;
    }

    /**
     * Sets an address from a 4- or 16-byte field. Templates often carry both IPv4 and IPv6 fields (or
     * an IP and a BGP next hop) of which one is zero: a zero value never replaces a non-zero one.
     */
    private static void address(FlowRecord.Address a, ByteBuffer b, int p, int len) {
        if (len != 4 && len != 16) return;
        if (a.isSet() && Bytes.allZero(b, p, len) && !isZero(a)) return;
        a.set(b, p, len);
    }

    private static boolean isZero(FlowRecord.Address a) {
        for (int i = 0; i < a.length; i++) if (a.bytes[i] != 0) return false;
        return true;
    }

    /** NTP timestamp (RFC 7011 dateTimeMicroseconds/Nanoseconds) to unix ns; micro: low 11 fraction bits ignored. */
    private static long ntpToUnixNanos(long ntp, boolean micro) {
        long seconds = (ntp >>> 32) - NTP_TO_UNIX_SECONDS;
        long fraction = ntp & 0xFFFF_FFFFL;
        if (micro) fraction &= ~0x7FFL;
        return seconds * 1_000_000_000L + ((fraction * 1_000_000_000L) >>> 32);
    }

    /** What can be said only once every field is read: fallbacks between fields, times, sampling. */
    private void finish(ByteBuffer b, FlowRecord f) {
        f.type = protocol.flowType;
        f.timeReceivedNs = header.timeReceivedNs();
        f.sequenceNum = header.sequence();
        f.samplerAddress.set(header.exporter(), 0, header.exporterLength());
        f.exporterAddress.set(header.exporter(), 0, header.exporterLength());
        f.exporterPort = header.exporterPort();
        f.sourceId = header.domain();
        // goflow2: the header's v9 source id / IPFIX observation domain, for every flow (source_id too)
        f.observationDomainId = header.domain();

        if (!hasInIf && physIn != 0) f.inIf = physIn;
        if (!hasOutIf && physOut != 0) f.outIf = physOut;
        if (!hasSrcVlan) f.srcVlan = (int) dot1qVlan;
        if (!hasDstVlan) f.dstVlan = (int) postDot1qVlan;
        if (!hasSrcMac) f.srcMac = postSrcMac;
        if (!hasDstMac) f.dstMac = postDstMac;
        if (!hasTtl) f.ipTtl = minTtl;

        if (ipVersion == 4) f.etype = 0x0800;
        else if (ipVersion == 6) f.etype = 0x86DD;
        else if (f.srcAddr.length == 4 || (!f.srcAddr.isSet() && f.dstAddr.length == 4)) f.etype = 0x0800;
        else if (f.srcAddr.length == 16 || f.dstAddr.length == 16) f.etype = 0x86DD;

        if (frameOffset >= 0 && !f.srcAddr.isSet() && !f.dstAddr.isSet()) {
            int l3 = PacketHeaderParser.parseEthernet(b, frameOffset, frameLength, f, decapsulation);
            if (l3 > 0) {
                if (bytesRank == 0) f.bytes = l3;
                if (packetsRank == 0) f.packets = 1;
            }
            if (f.vlanId != 0 && !hasSrcVlan && dot1qVlan == 0) f.srcVlan = f.vlanId;
            if (f.vlanId != 0 && !hasDstVlan && postDot1qVlan == 0) f.dstVlan = f.vlanId;
        }

        // ICMP type/code exported in the destination port (type * 256 + code), as Cisco and others do.
        if (!hasIcmp && (f.proto == 1 || f.proto == 58) && f.srcPort == 0) {
            f.icmpType = f.dstPort >>> 8;
            f.icmpCode = f.dstPort & 0xFF;
        }

        long exportMs = header.exportTimeSecs() * 1000L;
        if (header.version() == 9) {
            // Uptimes are ms since the exporter booted; the header gives boot = export time - sysUptime.
            if (startUptime >= 0) f.timeFlowStartNs = (exportMs - (int) (header.sysUptimeMs() - startUptime)) * 1_000_000L;
            if (endUptime >= 0) f.timeFlowEndNs = (exportMs - (int) (header.sysUptimeMs() - endUptime)) * 1_000_000L;
        } else {
            // IPFIX has no sysUptime in its header: 21/22 count from systemInitTimeMilliseconds, in the
            // record itself or (Cisco IOS XE) in the domain's options data.
            long init = systemInitMillis != 0 ? systemInitMillis : setSystemInitMillis;
            if (init != 0) {
                if (startUptime >= 0) f.timeFlowStartNs = (init + startUptime) * 1_000_000L;
                if (endUptime >= 0) f.timeFlowEndNs = (init + endUptime) * 1_000_000L;
            } else if (startUptime >= 0 || endUptime >= 0) {
                // No boot time ever said: the flow ended at most one active/inactive timeout before it
                // was exported, so end = export time; the duration (both uptimes share a base) is exact.
                // Counted: the times are estimates (docs/decoding.md says how peers differ).
                long end = endUptime >= 0 ? endUptime : startUptime;
                long start = startUptime >= 0 ? startUptime : endUptime;
                f.timeFlowEndNs = exportMs * 1_000_000L;
                f.timeFlowStartNs = (exportMs - Math.max(0, (int) (end - start))) * 1_000_000L;
                timesFromExportTime = true;
            }
        }

        // goflow2: a flow without time fields started and ended at the header's export time
        if (f.timeFlowStartNs == 0) f.timeFlowStartNs = header.exportTimeSecs() * 1_000_000_000L;
        if (f.timeFlowEndNs == 0) f.timeFlowEndNs = header.exportTimeSecs() * 1_000_000_000L;

        resolveSampling(f);
    }

    /** Sampling rate by precedence: the record's own fields, the sampler table, the domain's options, the configured default. */
    private void resolveSampling(FlowRecord f) {
        long rate = rateFromFields();
        if (rate > 0) {
            f.samplingRate = rate;
            f.samplingRateSource = SamplingSource.RECORD;
            return;
        }
        SamplingRate learnt = null;
        if (samplerId >= 0) {
            if (samplerId != cachedSamplerId) {
                cachedSamplerRate = sampling.samplerRate(samplerKey.retarget(samplerId));
                cachedSamplerId = samplerId;
            }
            learnt = cachedSamplerRate;
        }
        if (learnt == null) learnt = setDomainRate;
        if (learnt != null) {
            f.samplingRate = learnt.rate();
            f.samplingRateSource = learnt.source();
            return;
        }
        long configured = defaults.rateFor(header.exporter(), header.exporterLength());
        if (configured > 0) {
            f.samplingRate = configured;
            f.samplingRateSource = SamplingSource.CONFIGURED_DEFAULT;
        }
    }

    /**
     * The rate the sampling fields read so far describe, 0 if none. samplingInterval (34/50) first; a
     * packet interval with its space (305/306) next; then size/population (309/310), because an options
     * record may carry 309/310 plus a lone interval of 1 that is not the rate; a lone interval last.
     */
    private long rateFromFields() {
        if (samplingInterval > 0) return samplingInterval;
        if (packetInterval > 0 && hasPacketSpace) return (packetInterval + packetSpace) / packetInterval;
        if (samplingSize > 0 && samplingPopulation > 0) return Math.max(1, samplingPopulation / samplingSize);
        if (packetInterval > 0) return 1;
        return 0;
    }

    /** Turns the emitted forward flow of an RFC 5103 biflow into its reverse direction. */
    private void reverse(FlowRecord f) {
        swap(f.srcAddr, f.dstAddr);
        int port = f.srcPort; f.srcPort = f.dstPort; f.dstPort = port;
        long mac = f.srcMac; f.srcMac = f.dstMac; f.dstMac = mac;
        long ifc = f.inIf; f.inIf = f.outIf; f.outIf = ifc;
        long as = f.srcAs; f.srcAs = f.dstAs; f.dstAs = as;
        int net = f.srcNet; f.srcNet = f.dstNet; f.dstNet = net;
        int vlan = f.srcVlan; f.srcVlan = f.dstVlan; f.dstVlan = vlan;
        f.bytes = reverseOctets;
        f.packets = reversePackets;
        if (hasReverseTcpFlags) f.tcpFlags = reverseTcpFlags;
        if (f.flowDirection >= 0) f.flowDirection ^= 1;
    }

    private void swap(FlowRecord.Address a, FlowRecord.Address b) {
        scratch.copyFrom(a);
        a.copyFrom(b);
        b.copyFrom(scratch);
    }

    /**
     * Reads one options record: a sampler table entry (keyed by samplerId 48 / selectorId 302) or, with
     * no id, the rate of the whole exporter/domain. Returns the next position or -1.
     */
    int readOptions(Template t, ByteBuffer b, int p, int end) {
        resetScratch();
        FlowRecord f = flow; // fields other than sampling are not kept; the record is a scratch here
        // The record is read like a flow record into the scratch flow; only its sampling fields and
        // system init time are kept (options records are few: no need for a leaner reader).
        p = readFields(t, b, p, end, f);
        if (p < 0) return -1;
        if (systemInitMillis != 0) sampling.putSystemInitMillis(domainKey, systemInitMillis);
        long rate = rateFromFields();
        if (rate > 0) {
            boolean packetBased = samplingInterval == 0;
            if (samplerId >= 0) {
                sampling.putSamplerRate(samplerKey.retarget(samplerId), rate, SamplingSource.SAMPLER_TABLE);
            } else {
                sampling.putDomainRate(domainKey, rate,
                        packetBased ? SamplingSource.PACKET_INTERVAL : SamplingSource.SAMPLER_TABLE);
            }
        }
        return p;
    }
}

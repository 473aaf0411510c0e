package io.sluice.bench;

import com.google.protobuf.ByteString;
import io.sluice.flow.FlowProtobufEncoder;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.pb.FlowMessage;
import io.sluice.output.FlowBatch;
import io.sluice.output.PartitionKey;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Cost per flow of turning a decoded FlowRecord into Kafka-ready bytes: the hand-written encoder,
 * the same into a worker's batch (with its exporter key), and the generated builder for comparison.
 * A typical IPv4 NetFlow/IPFIX flow (~20 fields set).
 *
 * <p>Run: {@code java -cp <test classpath> org.openjdk.jmh.Main FlowEncodeBenchmark -f 1 -wi 2 -i 3}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FlowEncodeBenchmark {
    private final FlowRecord flow = typicalFlow();
    private final FlowProtobufEncoder encoder = new FlowProtobufEncoder();
    private final FlowBatch batch = new FlowBatch(4096, PartitionKey.EXPORTER);

    /** The flow every producer-side benchmark encodes (also KafkaSendAB's). */
    static FlowRecord typicalFlow() {
        FlowRecord flow = new FlowRecord();
        flow.type = 4;
        flow.timeReceivedNs = 1_763_800_000_000_000_000L;
        flow.sequenceNum = 123456;
        flow.samplingRate = 1000;
        flow.samplingRateSource = 3;
        flow.samplerAddress.setV4(0xc0000201);
        flow.exporterAddress.setV4(0xc0000201);
        flow.exporterPort = 50000;
        flow.sourceId = 512;
        flow.timeFlowStartNs = 1_763_799_990_000_000_000L;
        flow.timeFlowEndNs = 1_763_799_999_000_000_000L;
        flow.bytes = 1_234_567;
        flow.packets = 1_234;
        flow.srcAddr.setV4(0x0a010203);
        flow.dstAddr.setV4(0x5db8d822);
        flow.etype = 0x0800;
        flow.proto = 6;
        flow.srcPort = 51234;
        flow.dstPort = 443;
        flow.inIf = 12;
        flow.outIf = 34;
        flow.tcpFlags = 0x1b;
        flow.srcAs = 64500;
        flow.dstAs = 15169;
        flow.srcNet = 24;
        flow.dstNet = 16;
        flow.nextHop.setV4(0xc0000202);
        flow.flowDirection = 0;
        return flow;
    }

    @Benchmark
    public int handWritten() {
        return encoder.encode(flow);
    }

    @Benchmark
    public int intoBatch() {
        if (batch.isFull()) batch.clear();
        batch.add(flow, 0);
        return batch.size();
    }

    @Benchmark
    public byte[] generatedBuilder() {
        return FlowMessage.newBuilder()
                .setTypeValue(flow.type).setTimeReceivedNs(flow.timeReceivedNs).setSequenceNum((int) flow.sequenceNum)
                .setSamplingRate(flow.samplingRate).setSamplingRateSourceValue(flow.samplingRateSource)
                .setSamplerAddress(ByteString.copyFrom(flow.samplerAddress.bytes, 0, flow.samplerAddress.length))
                .setExporterAddress(ByteString.copyFrom(flow.exporterAddress.bytes, 0, flow.exporterAddress.length))
                .setExporterPort(flow.exporterPort).setSourceId((int) flow.sourceId)
                .setTimeFlowStartNs(flow.timeFlowStartNs).setTimeFlowEndNs(flow.timeFlowEndNs)
                .setBytes(flow.bytes).setPackets(flow.packets)
                .setSrcAddr(ByteString.copyFrom(flow.srcAddr.bytes, 0, flow.srcAddr.length))
                .setDstAddr(ByteString.copyFrom(flow.dstAddr.bytes, 0, flow.dstAddr.length))
                .setEtype(flow.etype).setProto(flow.proto).setSrcPort(flow.srcPort).setDstPort(flow.dstPort)
                .setInIf((int) flow.inIf).setOutIf((int) flow.outIf).setTcpFlags(flow.tcpFlags)
                .setSrcAs((int) flow.srcAs).setDstAs((int) flow.dstAs).setSrcNet(flow.srcNet).setDstNet(flow.dstNet)
                .setNextHop(ByteString.copyFrom(flow.nextHop.bytes, 0, flow.nextHop.length))
                .setFlowDirection(flow.flowDirection)
                .build().toByteArray();
    }
}

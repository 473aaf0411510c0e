package io.sluice.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.decode.packet.Decapsulation;
import io.sluice.decode.packet.PacketHeaderParser;
import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowRecord;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.stream.Stream;

/**
 * The sampled-header parser (sFlow raw headers, IPFIX data-link sections) on Ethernet frames: MPLS,
 * control words, QinQ, GRE, IP-in-IP, SRv6, VXLAN; every decapsulation, and the IP-first entry point.
 */
class PacketHeaderFuzzTest {
    static Stream<byte[]> seeds() {
        return FuzzSeeds.frames();
    }

    @MethodSource("seeds")
    @FuzzTest
    void sampledHeader(byte[] frame) throws Exception {
        SlowInput.run("sampledHeader", () -> {
            StringBuilder json = new StringBuilder();
            for (Decapsulation decap : Decapsulation.values()) {
                FlowRecord flow = new FlowRecord();
                int l3 = PacketHeaderParser.parseEthernet(ByteBuffer.wrap(frame), 0, frame.length, flow, decap);
                if (l3 < 0) throw new AssertionError("L3 length " + l3); // the contract: the IP length, or 0
                FlowJson.append(flow, json);
                FlowRecord ip = new FlowRecord();
                if (PacketHeaderParser.parseIp(ByteBuffer.wrap(frame), 0, frame.length, ip, decap) < 0) throw new AssertionError("L3 < 0");
                FlowJson.append(ip, json);
            }
        });
    }
}

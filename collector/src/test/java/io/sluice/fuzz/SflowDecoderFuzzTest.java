package io.sluice.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.decode.packet.Decapsulation;
import io.sluice.decode.sflow.SflowDecoder;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;

/** sFlow v5 datagrams (flow, counter, expanded and drop samples; sampled headers with every decapsulation). */
class SflowDecoderFuzzTest {
    static Stream<byte[]> seeds() {
        return FuzzSeeds.datagrams(FuzzSeeds::isSflow);
    }

    @MethodSource("seeds")
    @FuzzTest
    void sflowDatagram(byte[] datagram) throws Exception {
        SlowInput.run("sflowDatagram", () -> {
            for (Decapsulation decap : Decapsulation.values()) {
                DecoderHarness.decode(new SflowDecoder(decap), List.of(ByteBuffer.wrap(datagram)));
            }
        });
    }
}

package io.sluice.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.decode.netflow.NetflowDecoders;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;

/** NetFlow v5 datagrams. */
class NetflowV5DecoderFuzzTest {
    private static final NetflowDecoders DECODERS = new NetflowDecoders(NetflowConfig.defaults());

    static Stream<byte[]> seeds() {
        return FuzzSeeds.datagrams(FuzzSeeds::isNetflowV5);
    }

    @MethodSource("seeds")
    @FuzzTest
    void netflowV5Datagram(byte[] datagram) throws Exception {
        SlowInput.run("netflowV5Datagram", () -> {
            DecoderHarness.decode(DECODERS.newNetflowV5(), List.of(ByteBuffer.wrap(datagram)));
        });
    }
}

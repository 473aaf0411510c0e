package io.sluice.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.decode.netflow.NetflowDecoders;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

/**
 * NetFlow v9 sessions: one input is several datagrams ({@link FuzzInput}) through one fresh template store,
 * so templates, options templates, sampler tables and data sets that wait for their template all meet.
 */
class NetflowV9DecoderFuzzTest {
    static Stream<byte[]> seeds() {
        return FuzzSeeds.templateSessions(9);
    }

    @MethodSource("seeds")
    @FuzzTest
    void netflowV9Session(byte[] input) throws Exception {
        SlowInput.run("netflowV9Session", () -> {
            NetflowDecoders decoders = new NetflowDecoders(NetflowConfig.defaults());
            DecoderHarness.decode(decoders.newNetflowV9(), FuzzInput.datagrams(input));
        });
    }
}

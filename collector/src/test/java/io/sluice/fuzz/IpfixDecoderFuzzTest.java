package io.sluice.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.decode.netflow.NetflowDecoders;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

/**
 * IPFIX sessions: one input is several messages ({@link FuzzInput}) through one fresh template store
 * (templates, options, variable-length and enterprise fields, RFC 5103 biflows, data-link sections).
 */
class IpfixDecoderFuzzTest {
    static Stream<byte[]> seeds() {
        return FuzzSeeds.templateSessions(10);
    }

    @MethodSource("seeds")
    @FuzzTest
    void ipfixSession(byte[] input) throws Exception {
        SlowInput.run("ipfixSession", () -> {
            NetflowDecoders decoders = new NetflowDecoders(NetflowConfig.defaults());
            DecoderHarness.decode(decoders.newIpfix(), FuzzInput.datagrams(input));
        });
    }
}

package io.sluice.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.sluice.capture.CaptureFormatException;
import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.stream.Stream;

/**
 * The capture reader on whole files (pcap, pcapng, raw datagrams, and anything): it returns datagrams
 * or refuses the input with a {@link CaptureFormatException}; any other exception, a hang, or a
 * datagram longer than UDP allows is a finding.
 */
class CaptureReaderFuzzTest {
    static Stream<byte[]> seeds() {
        return FuzzSeeds.files();
    }

    @MethodSource("seeds")
    @FuzzTest
    void captureFile(byte[] file) throws Exception {
        SlowInput.run("captureFile", () -> {
            try (CaptureReader r = CaptureReader.open(new ByteArrayInputStream(file), "fuzz", null)) {
                for (CapturedDatagram d = r.next(); d != null; d = r.next()) {
                    if (d.payload().length > 65_535) throw new AssertionError("datagram of " + d.payload().length + " bytes");
                }
            } catch (CaptureFormatException refused) {
                // the contract: a clear refusal
            }
        });
    }
}

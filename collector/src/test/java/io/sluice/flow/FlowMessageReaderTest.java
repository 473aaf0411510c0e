package io.sluice.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.flow.pb.FlowMessage;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Read back from the wire, a flow prints and encodes exactly as the decoded one did. */
class FlowMessageReaderTest {
    @Test
    void roundTripsEveryFieldTheRecordHolds() throws Exception {
        FlowProtobufEncoder encoder = new FlowProtobufEncoder();
        for (long seed = 1; seed <= 200; seed++) {
            FlowRecord original = FlowProtobufEncoderTest.everyField(seed, seed % 2 == 0);
            byte[] wire = Arrays.copyOf(encoder.buffer(), encoder.encode(original));
            FlowRecord back = FlowMessageReader.read(FlowMessage.parseFrom(wire), new FlowRecord());
            assertArrayEquals(wire, Arrays.copyOf(encoder.buffer(), encoder.encode(back)), "seed " + seed);
            assertEquals(FlowJson.toJson(original), FlowJson.toJson(back));
        }
    }
}

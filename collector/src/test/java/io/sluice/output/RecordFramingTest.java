package io.sluice.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import io.sluice.flow.pb.CounterMessage;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** The framing against protobuf-java's own delimited writer: the bytes goflow2's protodelim writes. */
class RecordFramingTest {
    @Test
    void lengthDelimitedIsWhatWriteDelimitedToWrites() throws Exception {
        for (int size : new int[] {0, 1, 126, 127, 128, 300, 16383, 16384, 70000, 2_100_000}) {
            CounterMessage m = CounterMessage.newBuilder().setRaw(CounterMessage.RawRecord.newBuilder()
                    .setData(ByteString.copyFrom(new byte[size]))).build();
            ByteArrayOutputStream reference = new ByteArrayOutputStream();
            m.writeDelimitedTo(reference);
            byte[] message = m.toByteArray();
            assertArrayEquals(reference.toByteArray(), RecordFraming.LENGTH_DELIMITED.frame(message), "size " + size);
            assertEquals(reference.size() - message.length, RecordFraming.LENGTH_DELIMITED.headerSize(message.length));
            assertArrayEquals(message, RecordFraming.BARE.frame(message));
            assertEquals(0, RecordFraming.BARE.headerSize(message.length));
        }
    }

    @Test
    void configNames() {
        assertEquals(RecordFraming.LENGTH_DELIMITED, RecordFraming.fromConfig("length-delimited"));
        assertEquals(RecordFraming.BARE, RecordFraming.fromConfig("bare"));
        assertEquals(null, RecordFraming.fromConfig("delimited"));
    }
}

package io.sluice.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import io.sluice.decode.Datagram;
import io.sluice.testing.UpstreamSchema;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * RawFlowEncoder against Akvorado's own common/pb/rawflow.proto (../shared/reference/akvorado),
 * compiled by protoc here: the fields it writes are Akvorado's (number, type, enum values), and its
 * bytes are exactly what Akvorado's schema serializes for the same content, so the outlet's
 * UnmarshalVT reads them.
 */
class AkvoradoSchemaTest {
    private static Datagram datagram(byte[] payload, byte[] source, long timeNs) {
        Datagram d = new Datagram(ByteBuffer.wrap(payload));
        d.length = payload.length;
        d.setExporter(source, 2055);
        d.timeReceivedNs = timeNs;
        return d;
    }

    @Test
    void theFieldsWrittenAreAkvoradosFields() {
        Descriptor raw = UpstreamSchema.message("akvorado/rawflow.proto", "RawFlow");
        assertEquals("input", raw.getFile().getPackage());
        check(raw, "time_received", 1, FieldDescriptor.Type.UINT64);
        check(raw, "payload", 2, FieldDescriptor.Type.BYTES);
        check(raw, "source_address", 3, FieldDescriptor.Type.BYTES);
        check(raw, "decoder", 5, FieldDescriptor.Type.ENUM);
        var decoder = raw.findFieldByName("decoder").getEnumType();
        assertEquals(RawFlowEncoder.DECODER_UNSPECIFIED, decoder.findValueByName("DECODER_UNSPECIFIED").getNumber());
        assertEquals(RawFlowEncoder.DECODER_NETFLOW, decoder.findValueByName("DECODER_NETFLOW").getNumber());
        assertEquals(RawFlowEncoder.DECODER_SFLOW, decoder.findValueByName("DECODER_SFLOW").getNumber());
    }

    private static void check(Descriptor d, String name, int number, FieldDescriptor.Type type) {
        FieldDescriptor f = d.findFieldByName(name);
        assertEquals(number, f.getNumber(), name);
        assertEquals(type, f.getType(), name);
        assertTrue(!f.isRepeated(), name);
    }

    @Test
    void bytesEqualAkvoradosSerializationOfTheSameContent() throws Exception {
        Descriptor raw = UpstreamSchema.message("akvorado/rawflow.proto", "RawFlow");
        byte[] v4 = {(byte) 192, 0, 2, 7};
        byte[] v6 = new byte[16];
        v6[0] = 0x20;
        v6[1] = 0x01;
        v6[15] = 9;
        byte[] sflow = {0, 0, 0, 5, 0, 0, 0, 1, 1, 2, 3, 4};
        byte[] netflow9 = {0, 9, 0, 1, 5, 6, 7, 8};
        byte[] ipfix = {0, 10, 0, 16, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3};
        byte[] unknown = {1, 2, 3};
        byte[] big = new byte[9000];
        big[1] = 5; // NetFlow v5 version word
        Object[][] cases = {
                {sflow, v4, "DECODER_SFLOW"}, {netflow9, v6, "DECODER_NETFLOW"}, {ipfix, v4, "DECODER_NETFLOW"},
                {unknown, v4, "DECODER_UNSPECIFIED"}, {big, v6, "DECODER_NETFLOW"}};
        long ns = 1_767_225_600_123_456_789L;
        for (Object[] c : cases) {
            byte[] payload = (byte[]) c[0];
            byte[] source = (byte[]) c[1];
            byte[] ours = RawFlowEncoder.encode(datagram(payload, source, ns));
            byte[] v16 = source.length == 16 ? source : new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1,
                    source[0], source[1], source[2], source[3]};
            DynamicMessage expected = DynamicMessage.newBuilder(raw)
                    .setField(raw.findFieldByName("time_received"), ns / 1_000_000_000L)
                    .setField(raw.findFieldByName("payload"), ByteString.copyFrom(payload))
                    .setField(raw.findFieldByName("source_address"), ByteString.copyFrom(v16))
                    .setField(raw.findFieldByName("decoder"),
                            raw.findFieldByName("decoder").getEnumType().findValueByName((String) c[2]))
                    .build();
            assertArrayEquals(expected.toByteArray(), ours, "payload " + Arrays.toString(Arrays.copyOf(payload, 4)));
            DynamicMessage parsed = DynamicMessage.parseFrom(raw, ours);
            assertEquals(expected, parsed);
            assertTrue(parsed.getUnknownFields().asMap().isEmpty());
        }
    }

    @Test
    void topicIsTheOutletsWithTheSchemaVersion() {
        assertEquals("flows-v5", AkvoradoOutput.topic("flows"));
    }
}

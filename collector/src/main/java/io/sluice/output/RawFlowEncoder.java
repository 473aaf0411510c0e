package io.sluice.output;

import io.sluice.flow.FlowProtobufEncoder;

import io.sluice.decode.Datagram;

/**
 * Writes one datagram as Akvorado's {@code RawFlow} (akvorado common/pb/rawflow.proto, package
 * {@code input}; the reference copy is ../shared/reference/akvorado/rawflow.proto): time_received (1,
 * seconds, as Akvorado's inlet sets it), payload (2), source_address (3, always 16 bytes: IPv4 as
 * IPv4-mapped IPv6, as Go's {@code IP.To16()} gives it) and the decoder hint (5). The other fields
 * (use_source_address, timestamp_source, decapsulation_protocol, rate_limit) are their defaults and so
 * not written, as proto3 does. Exactly what the generated RawFlow would serialize (the test compares).
 */
public final class RawFlowEncoder {
    /** {@code RawFlow.Decoder}. */
    public static final int DECODER_UNSPECIFIED = 0;
    public static final int DECODER_NETFLOW = 1;
    public static final int DECODER_SFLOW = 2;

    private RawFlowEncoder() {}

    /**
     * The decoder an Akvorado outlet must use for this payload: sFlow v5 starts with the 32-bit version
     * 5; NetFlow v5/v9 and IPFIX (all Akvorado's "netflow" decoder) with the 16-bit version 5, 9 or 10.
     */
    public static int decoderFor(Datagram d) {
        if (d.length < 4) return DECODER_UNSPECIFIED;
        int first = d.buffer.getInt(0);
        if (first == 5) return DECODER_SFLOW;
        int version = first >>> 16;
        return version == 5 || version == 9 || version == 10 ? DECODER_NETFLOW : DECODER_UNSPECIFIED;
    }

    /** The serialized RawFlow of {@code d}, exactly sized (a Kafka record value). */
    public static byte[] encode(Datagram d) {
        long seconds = d.timeReceivedNs / 1_000_000_000L;
        int decoder = decoderFor(d);
        int len = d.length;
        int size = (seconds != 0 ? 1 + FlowProtobufEncoder.varintSize(seconds) : 0)
                + (len != 0 ? 1 + FlowProtobufEncoder.varintSize(len) + len : 0)
                + 1 + 1 + 16
                + (decoder != 0 ? 2 : 0);
        byte[] out = new byte[size];
        int p = 0;
        if (seconds != 0) {
            out[p++] = (1 << 3); // field 1, varint
            p = FlowProtobufEncoder.varint(out, p, seconds);
        }
        if (len != 0) {
            out[p++] = (2 << 3) | 2; // field 2, length-delimited
            p = FlowProtobufEncoder.varint(out, p, len);
            d.buffer.get(0, out, p, len);
            p += len;
        }
        out[p++] = (3 << 3) | 2;
        out[p++] = 16;
        if (d.exporterAddressLength == 4) {
            out[p + 10] = (byte) 0xff;
            out[p + 11] = (byte) 0xff;
            System.arraycopy(d.exporterAddress, 0, out, p + 12, 4);
        } else {
            System.arraycopy(d.exporterAddress, 0, out, p, 16);
        }
        p += 16;
        if (decoder != 0) {
            out[p++] = (5 << 3);
            out[p++] = (byte) decoder;
        }
        return out;
    }
}

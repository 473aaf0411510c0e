package io.sluice.output;

import java.util.Arrays;

/**
 * How one protobuf message is laid out in a Kafka record value or a file: goflow2 v2's contract
 * (a varint length, then the message: what {@code protodelim.MarshalTo}, {@code writeDelimitedTo} and
 * ClickHouse's {@code Protobuf} format write and read) or the bare message (goflow2 1.x, ClickHouse's
 * {@code ProtobufSingle}). Flows, sFlow counters and any later message kind share this one piece, so
 * every topic of one sluice is framed the same way (key {@code output.framing}).
 */
public enum RecordFraming {
    /** Varint length + message; several may follow each other in one record ({@code kafka.flows-per-record}). */
    LENGTH_DELIMITED("length-delimited"),
    /** The message alone; exactly one per record. */
    BARE("bare");

    /** A message length never needs more than 5 varint bytes (it is an int). */
    public static final int MAX_HEADER = 5;

    public final String configName;

    RecordFraming(String configName) {
        this.configName = configName;
    }

    public static RecordFraming fromConfig(String name) {
        for (RecordFraming f : values()) if (f.configName.equals(name)) return f;
        return null;
    }

    /** Bytes {@link #writeHeader} writes before a message of {@code length} bytes. */
    public int headerSize(int length) {
        if (this == BARE) return 0;
        int n = 1;
        while ((length & ~0x7F) != 0) {
            n++;
            length >>>= 7;
        }
        return n;
    }

    /** Writes the header for a message of {@code length} bytes at {@code offset}; returns the bytes written. */
    public int writeHeader(byte[] dst, int offset, int length) {
        if (this == BARE) return 0;
        int p = offset;
        while ((length & ~0x7F) != 0) {
            dst[p++] = (byte) ((length & 0x7F) | 0x80);
            length >>>= 7;
        }
        dst[p++] = (byte) length;
        return p - offset;
    }

    /** The framed copy of {@code src[offset, offset + length)}, exactly sized (a Kafka record value). */
    public byte[] frame(byte[] src, int offset, int length) {
        if (this == BARE) return Arrays.copyOfRange(src, offset, offset + length);
        byte[] out = new byte[headerSize(length) + length];
        int h = writeHeader(out, 0, length);
        System.arraycopy(src, offset, out, h, length);
        return out;
    }

    public byte[] frame(byte[] message) {
        return frame(message, 0, message.length);
    }
}

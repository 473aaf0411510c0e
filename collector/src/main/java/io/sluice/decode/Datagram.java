package io.sluice.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One received UDP datagram, as a reusable holder: the worker fills it per datagram and decoders read
 * it. The payload is {@code buffer[0, length)} in network byte order, read with absolute gets.
 */
public final class Datagram {
    /** Big-endian payload; decoders use absolute indexing from 0 to {@link #length}. */
    public ByteBuffer buffer;
    public int length;
    /** UDP source address: 4 bytes (IPv4) or 16 (IPv6) in {@link #exporterAddress}. */
    public final byte[] exporterAddress = new byte[16];
    public int exporterAddressLength;
    public int exporterPort;
    /** Wall-clock receive time, ns since the epoch. */
    public long timeReceivedNs;
    /** Where decoders report the sequence numbers of this datagram's headers (the exporter's accounting). */
    public SequenceObserver sequences = SequenceObserver.NONE;

    public Datagram(int capacity) {
        this.buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.BIG_ENDIAN);
    }

    public Datagram(ByteBuffer buffer) {
        this.buffer = buffer.order(ByteOrder.BIG_ENDIAN);
    }

    /** Sets the source from an address in its byte form (4 or 16 bytes). */
    public void setExporter(byte[] address, int port) {
        System.arraycopy(address, 0, exporterAddress, 0, address.length);
        exporterAddressLength = address.length;
        exporterPort = port;
    }
}

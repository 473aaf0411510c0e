package io.sluice.decode.template;

import io.sluice.decode.Datagram;
import java.util.Arrays;

/**
 * What one NetFlow v9 / IPFIX message says about itself: who sent it (the datagram's UDP source), when
 * it was received, and its header (export time, NetFlow v9 sysUptime, sequence number, source id /
 * observation domain). One value travels with the records: the decoder fills one per datagram and hands
 * it to the record decoder; a parked data set keeps a frozen {@link #copy()} of it, so a set decoded
 * later (by any worker) sees the header of the datagram it came in.
 *
 * <p>Mutable so that the per-datagram fill allocates nothing. A copy stored in a {@link PendingSet} is
 * never written again. It sits in {@code template}, beside {@link PendingSet}, so that the store can hold
 * it without {@code template} importing the decoders.
 */
public final class MessageHeader {
    private final byte[] exporter = new byte[16];
    private int exporterLength;
    private int exporterPort;
    private long timeReceivedNs;
    private int version;
    private long exportTimeSecs;
    private long sysUptimeMs;
    private long sequence;
    private long domain;

    /** Takes the transport facts (source address and port, receive time) of {@code d}. */
    public void receivedAs(Datagram d) {
        System.arraycopy(d.exporterAddress, 0, exporter, 0, 16);
        exporterLength = d.exporterAddressLength;
        exporterPort = d.exporterPort;
        timeReceivedNs = d.timeReceivedNs;
    }

    /** Takes the header fields of the message; {@code sysUptimeMs} is 0 for IPFIX (it has none). */
    public void header(int version, long exportTimeSecs, long sysUptimeMs, long sequence, long domain) {
        this.version = version;
        this.exportTimeSecs = exportTimeSecs;
        this.sysUptimeMs = sysUptimeMs;
        this.sequence = sequence;
        this.domain = domain;
    }

    /** A private copy (what a parked set keeps; never written after). */
    public MessageHeader copy() {
        MessageHeader c = new MessageHeader();
        System.arraycopy(exporter, 0, c.exporter, 0, 16);
        c.exporterLength = exporterLength;
        c.exporterPort = exporterPort;
        c.timeReceivedNs = timeReceivedNs;
        c.header(version, exportTimeSecs, sysUptimeMs, sequence, domain);
        return c;
    }

    /** The exporter's address bytes (4 or 16 valid, see {@link #exporterLength()}); do not modify. */
    public byte[] exporter() {
        return exporter;
    }

    public int exporterLength() {
        return exporterLength;
    }

    /** The exporter address as a fresh array of its own length. */
    public byte[] exporterAddress() {
        return Arrays.copyOf(exporter, exporterLength);
    }

    public int exporterPort() {
        return exporterPort;
    }

    /** When the datagram was received (ns, the worker's clock; also the age of a parked set). */
    public long timeReceivedNs() {
        return timeReceivedNs;
    }

    /** 9 (NetFlow v9) or 10 (IPFIX). */
    public int version() {
        return version;
    }

    /** The header's export time, unix seconds. */
    public long exportTimeSecs() {
        return exportTimeSecs;
    }

    /** NetFlow v9 sysUptime of the export (ms since the exporter booted); 0 for IPFIX. */
    public long sysUptimeMs() {
        return sysUptimeMs;
    }

    /**
     * The header's sequence number: NetFlow v9 counts export packets, IPFIX counts data records sent
     * before this message (RFC 3954 section 5.1, RFC 7011 section 3.1); per exporter and domain.
     */
    public long sequence() {
        return sequence;
    }

    /** NetFlow v9 source id / IPFIX observation domain id. */
    public long domain() {
        return domain;
    }
}

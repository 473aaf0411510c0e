package io.sluice.decode;

/**
 * Where a decoder reports the sequence number of each message header (and sFlow flow sample) it reads:
 * one call per header, on the decoding thread. The service puts the exporter's sequence accounting
 * here ({@code io.sluice.ledger}); decoders only read numbers and know nothing of the accounting.
 */
public interface SequenceObserver {
    /** Units a message holds when its size is not known (IPFIX data sets waiting for their template). */
    long UNKNOWN_UNITS = -1;

    /**
     * @param kind the sequence space's protocol and unit
     * @param spaceA first part of the space's key within the exporter (agent address key, engine, domain)
     * @param spaceB second part (sub-agent, sFlow source id; 0 when unused)
     * @param sequence the 32-bit sequence number of the header (unsigned)
     * @param units what the message adds to the sequence (1 for datagram sequences, records for v5 and
     *     IPFIX), or {@link #UNKNOWN_UNITS}
     * @param optionRecords of {@code units}, the IPFIX options data records (some exporters leave them out
     *     of their count); 0 elsewhere
     * @param uptimeMs the exporter's uptime in the header, or -1 when the protocol has none
     */
    void sequence(SequenceKind kind, long spaceA, long spaceB, long sequence, long units, long optionRecords, long uptimeMs);

    /** Ignores every number (offline decoding, tests of the decoders alone). */
    SequenceObserver NONE = (kind, a, b, sequence, units, options, uptime) -> {};

    /** A 64-bit key of an address (4 or 16 bytes): exact for IPv4, the halves folded for IPv6. */
    static long addressKey(byte[] address, int length) {
        long hi = 0, lo = 0;
        for (int i = 0; i < length; i++) {
            if (i < 8) hi = (hi << 8) | (address[i] & 0xFF);
            else lo = (lo << 8) | (address[i] & 0xFF);
        }
        return length <= 8 ? hi : hi * 0x9E3779B97F4A7C15L ^ lo;
    }
}

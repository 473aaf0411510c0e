package io.sluice.decode;

import io.sluice.flow.FlowSink;

/**
 * Routes a datagram to the decoder of its protocol by its version field, so one port can take every
 * protocol ("auto" listeners) and a misdirected datagram is counted, not misparsed.
 *
 * <p>NetFlow v5/v9 and IPFIX start with a 16-bit version (5, 9, 10); sFlow starts with a 32-bit
 * version (5). An sFlow datagram thus starts 0x0000_0005 and a NetFlow v5 one 0x0005_xxxx
 * (xxxx = record count, 1..30), which tells them apart. One instance per worker thread.
 */
public final class VersionDispatch implements DatagramDecoder {
    private final DatagramDecoder sflow;
    private final DatagramDecoder netflowV5;
    private final DatagramDecoder netflowV9;
    private final DatagramDecoder ipfix;

    /** Any decoder may be null: that protocol is then refused (counted as {@link DecodeError#BAD_VERSION}). */
    public VersionDispatch(DatagramDecoder sflow, DatagramDecoder netflowV5, DatagramDecoder netflowV9,
                       DatagramDecoder ipfix) {
        this.sflow = sflow;
        this.netflowV5 = netflowV5;
        this.netflowV9 = netflowV9;
        this.ipfix = ipfix;
    }

    @Override
    public void decode(Datagram datagram, FlowSink sink, DecodeStats stats) {
        if (datagram.length < 4) {
            stats.error(DecodeError.TRUNCATED);
            return;
        }
        DatagramDecoder target = switch (datagram.buffer.getShort(0)) {
            case 0 -> datagram.buffer.getShort(2) == 5 ? sflow : null;
            case 5 -> netflowV5;
            case 9 -> netflowV9;
            case 10 -> ipfix;
            default -> null;
        };
        if (target == null) {
            stats.error(DecodeError.BAD_VERSION);
            return;
        }
        target.decode(datagram, sink, stats);
    }
}

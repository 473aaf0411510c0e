package io.sluice.ledger;

import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.Protocol;
import io.sluice.decode.SequenceObserver;

/**
 * One worker's side of the per-exporter accounting: around each decode it finds the datagram's
 * exporter, hands it to the decoders as the sequence observer, and credits it with what the worker's
 * own {@link DecodeStats} moved by (flows, protocol, errors by reason). Reads of plain fields and a
 * table lookup per datagram; nothing allocates after an exporter's first datagram.
 */
public final class ExporterAccounting {
    private static final DecodeError[] REASONS = DecodeError.values();
    private static final Protocol[] PROTOCOLS = Protocol.values();

    private final ExporterTable table;
    private final long[] errorsBefore = new long[REASONS.length];
    private final long[] datagramsBefore = new long[PROTOCOLS.length];
    private ExporterEntry current;
    private long flowsBefore;
    private long errorTotalBefore;

    public ExporterAccounting(ExporterTable table) {
        this.table = table;
    }

    /** Before decoding {@code d}: its exporter becomes the sequence observer. */
    public void before(Datagram d, DecodeStats stats) {
        ExporterEntry e = table.lookup(d.exporterAddress, d.exporterAddressLength);
        current = e;
        e.datagram(d.length, d.timeReceivedNs / 1_000_000L);
        d.sequences = e;
        flowsBefore = stats.totalFlows();
        errorTotalBefore = stats.errorTotal();
        for (int i = 0; i < PROTOCOLS.length; i++) datagramsBefore[i] = stats.datagrams(PROTOCOLS[i]);
    }

    /** After decoding: what the decode added is the exporter's. */
    public void after(Datagram d, DecodeStats stats) {
        ExporterEntry e = current;
        d.sequences = SequenceObserver.NONE;
        if (e == null) return;
        e.flows(stats.totalFlows() - flowsBefore);
        for (int i = 0; i < PROTOCOLS.length; i++) {
            if (stats.datagrams(PROTOCOLS[i]) != datagramsBefore[i]) e.protocol(PROTOCOLS[i]);
        }
        if (stats.errorTotal() != errorTotalBefore) {
            for (int i = 0; i < REASONS.length; i++) {
                long now = stats.errors(REASONS[i]);
                e.error(REASONS[i], now - errorsBefore[i]);
                errorsBefore[i] = now;
            }
        }
        current = null;
    }

    /** Brings the error baseline up to date (errors counted outside {@link #before}/{@link #after}). */
    public void sync(DecodeStats stats) {
        for (int i = 0; i < REASONS.length; i++) errorsBefore[i] = stats.errors(REASONS[i]);
    }
}

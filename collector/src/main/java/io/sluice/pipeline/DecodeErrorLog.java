package io.sluice.pipeline;

import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeError;
import io.sluice.flow.AddressFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Logs malformed datagrams at most once per interval per worker, with how many were not logged since:
 * an operator learns which exporter sends what, and a hostile flood cannot fill the disk. Every error
 * is counted in {@code sluice_decode_errors_total} regardless. Allocates only when it logs.
 */
final class DecodeErrorLog {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeErrorLog.class);
    static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String worker;
    private long lastLogNanos = System.nanoTime() - INTERVAL_NANOS;
    private long suppressed;

    DecodeErrorLog(String worker) {
        this.worker = worker;
    }

    /** @return whether this failure was logged (false: only counted until the interval has passed) */
    boolean failed(Datagram datagram, DecodeError reason) {
        long now = System.nanoTime();
        if (now - lastLogNanos < INTERVAL_NANOS) {
            suppressed++;
            return false;
        }
        LOG.warn("{}: malformed datagram ({}) of {} bytes from {}:{}{}", worker,
                reason == null ? "unknown" : reason.label, datagram.length,
                AddressFormat.format(datagram.exporterAddress, datagram.exporterAddressLength), datagram.exporterPort,
                suppressed == 0 ? "" : "; " + suppressed + " more since the last report (see sluice_decode_errors_total)");
        lastLogNanos = now;
        suppressed = 0;
        return true;
    }
}

package io.sluice.service;

import io.sluice.config.SluiceConfig;
import io.sluice.decode.DatagramDecoder;
import io.sluice.metrics.TemplateStoreStats;

/**
 * Makes the decoders of the workers: one instance per worker (decoders own reusable state), sharing
 * what must be shared (the NetFlow v9 / IPFIX template store).
 */
public interface DecoderFactory {
    /** A decoder for one worker of a listener configured for {@code protocol}. */
    DatagramDecoder newDecoder(SluiceConfig.Protocol protocol);

    /** The template store's counts, for the metrics. */
    TemplateStoreStats templateStats();

    /**
     * Housekeeping the service calls about once a second from its own thread: drop template-less data
     * sets older than the pending age (so the count of expired sets is current even without traffic).
     *
     * @param epochNanos now, wall clock, ns since the epoch (the time base of received datagrams)
     */
    default void expire(long epochNanos) {}

    /**
     * Loads what the store lacks of a template snapshot written by another (or an earlier) process
     * (docs/upgrade.md). Called before any datagram is read.
     *
     * @return templates and sampling values restored
     */
    default int restoreTemplates(java.nio.file.Path file, java.time.Duration maxAge) throws java.io.IOException {
        return 0;
    }

    /**
     * A template snapshot for a process that is already reading datagrams (the predecessor's last one,
     * after it exited): puts the sampling values the store lacks, and returns the templates it lacks as
     * their exporters' template messages, for the workers to decode (which releases the data sets parked
     * for them into the workers' own sinks).
     */
    default java.util.List<io.sluice.capture.CapturedDatagram> snapshotTemplates(java.nio.file.Path file,
            java.time.Duration maxAge) throws java.io.IOException {
        return java.util.List.of();
    }

    /** Writes the template snapshot (atomically). */
    default void saveTemplates(java.nio.file.Path file) throws java.io.IOException {}

    /** Calls {@code action} on every NetFlow v9 / IPFIX template known (the /templates operator endpoint). */
    default void forEachTemplate(java.util.function.BiConsumer<io.sluice.decode.template.TemplateKey,
            io.sluice.decode.template.Template> action) {}

    /** Changes whenever the templates change: the service writes a snapshot only then. */
    default long templateChanges() {
        return 0;
    }
}

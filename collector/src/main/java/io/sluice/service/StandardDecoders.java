package io.sluice.service;

import io.sluice.config.SluiceConfig;
import io.sluice.decode.Datagram;
import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.ListenerProtocol;
import io.sluice.decode.Protocol;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.decode.netflow.NetflowDecoders;
import io.sluice.decode.sflow.SflowDecoder;
import io.sluice.decode.template.TemplateMessage;
import io.sluice.decode.template.TemplateSnapshot;
import io.sluice.decode.template.TemplateStore;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.metrics.TemplateStoreStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * sluice's decoders for the service: sFlow v5, NetFlow v5/v9 and IPFIX behind the version dispatch,
 * with one NetFlow/IPFIX template store shared by every worker of every listener (templates are per
 * exporter, whichever port they arrive on), configured from the `sampling` and `templates` keys.
 * Also the template store's persistence for {@link Succession} (snapshot restore, reload, save).
 */
public final class StandardDecoders {
    private final NetflowDecoders netflow;

    public StandardDecoders(SluiceConfig config) {
        this.netflow = new NetflowDecoders(config.netflow());
    }

    /** A decoder for one worker of a listener configured for {@code protocol} (decoders own reusable state). */
    public VersionDispatch newDecoder(ListenerProtocol protocol) {
        boolean sflow = protocol == ListenerProtocol.AUTO || protocol == ListenerProtocol.SFLOW;
        boolean nf = protocol == ListenerProtocol.AUTO || protocol == ListenerProtocol.NETFLOW;
        boolean ipfix = protocol == ListenerProtocol.AUTO || protocol == ListenerProtocol.IPFIX;
        return new VersionDispatch(
                sflow ? new SflowDecoder() : null,
                nf ? netflow.newNetflowV5() : null,
                nf ? netflow.newNetflowV9() : null,
                ipfix ? netflow.newIpfix() : null);
    }

    /** The template store's counts, for the metrics. */
    public TemplateStoreStats templateStats() {
        TemplateStore store = netflow.templateStore();
        return new TemplateStoreStats() {
            @Override
            public long templates() {
                return store.templateCount();
            }

            @Override
            public long pendingTemplateSets() {
                return store.pendingSets();
            }

            @Override
            public long pendingTemplateExpired() {
                return store.expiredSets();
            }

            @Override
            public long templatesRefused() {
                return store.refusedTemplates();
            }

            @Override
            public long templateBytes() {
                return store.templateBytes();
            }

            @Override
            public long pendingTemplateBytes() {
                return store.pendingBytes();
            }

            @Override
            public long templatesEvicted() {
                return store.evictedTemplates();
            }

            @Override
            public long templatesIdleExpired() {
                return store.idleTemplates();
            }
        };
    }

    /**
     * Loads what the store lacks of a snapshot written by another (or an earlier) process, before any
     * datagram is read (docs/upgrade.md). The templates go through this process's own v9/IPFIX decoders
     * (by the protocol each message was written in) as the exporters' template messages. Nothing is
     * parked yet, so no flow can come out: the sink counts them anyway (a flow here would be lost).
     *
     * @return templates and sampling values restored
     */
    public int restoreTemplates(Path file, Duration maxAge) throws IOException {
        TemplateStore store = netflow.templateStore();
        long before = store.changes();
        List<TemplateMessage> messages = TemplateSnapshot.restore(store, file, maxAge);
        DatagramDecoder v9 = netflow.newNetflowV9();
        DatagramDecoder ipfix = netflow.newIpfix();
        DecodeStats stats = new DecodeStats();
        Datagram datagram = new Datagram(0);
        long[] flows = {0};
        FlowSink sink = new FlowSink() {
            @Override
            public void flow(FlowRecord flow) {
                flows[0]++;
            }
        };
        for (TemplateMessage m : messages) {
            datagram.buffer = ByteBuffer.wrap(m.datagram().payload());
            datagram.length = m.datagram().payload().length;
            datagram.setExporter(m.datagram().sourceAddress(), m.datagram().sourcePort());
            datagram.timeReceivedNs = System.currentTimeMillis() * 1_000_000L;
            (m.protocol() == Protocol.IPFIX ? ipfix : v9).decode(datagram, sink, stats);
        }
        if (flows[0] > 0 || stats.totalErrors() > 0) {
            throw new IOException("restoring " + file + " decoded " + flows[0] + " flows and " + stats.totalErrors() + " errors");
        }
        return (int) (store.changes() - before);
    }

    /**
     * A snapshot for a process that is already reading datagrams (the predecessor's last one, after it
     * exited): puts the sampling values the store lacks, and returns the templates it lacks as their
     * exporters' template messages, for the workers to decode (which releases the data sets parked for
     * them into the workers' own sinks).
     */
    public List<TemplateMessage> snapshotTemplates(Path file, Duration maxAge) throws IOException {
        return TemplateSnapshot.restore(netflow.templateStore(), file, maxAge);
    }

    /** The shared template store (the template share publishes its changes and applies the others'). */
    TemplateStore templateStore() {
        return netflow.templateStore();
    }

    /**
     * Where template messages of the share go before any datagram is read: decoded at once through
     * decoders of its own (the caller's thread owns them), as the snapshot restore does. Nothing is parked
     * yet, so no flow comes out; should one (a set parked by a listener started meanwhile), it is counted
     * in the returned array's first element, never silently lost.
     */
    io.sluice.share.TemplateShare.Applier directTemplateApplier(long[] lostFlows) {
        DatagramDecoder v9 = netflow.newNetflowV9();
        DatagramDecoder ipfix = netflow.newIpfix();
        DecodeStats stats = new DecodeStats();
        Datagram datagram = new Datagram(0);
        FlowSink sink = new FlowSink() {
            @Override
            public void flow(FlowRecord flow) {
                lostFlows[0]++;
            }
        };
        return m -> {
            datagram.buffer = ByteBuffer.wrap(m.datagram().payload());
            datagram.length = m.datagram().payload().length;
            datagram.setExporter(m.datagram().sourceAddress(), m.datagram().sourcePort());
            datagram.timeReceivedNs = System.currentTimeMillis() * 1_000_000L;
            (m.protocol() == Protocol.IPFIX ? ipfix : v9).decode(datagram, sink, stats);
        };
    }

    /** Writes the template snapshot (atomically). */
    public void saveTemplates(Path file) throws IOException {
        TemplateSnapshot.write(netflow.templateStore(), file);
    }

    /** Every template of the shared store, for /templates. */
    public void forEachTemplate(java.util.function.BiConsumer<io.sluice.decode.template.TemplateKey,
            io.sluice.decode.template.Template> action) {
        netflow.templateStore().forEachTemplate(action);
    }

    /** The sampling rates and boot times options data set, for /exporters. */
    public io.sluice.decode.template.SamplingTable sampling() {
        return netflow.templateStore().sampling();
    }

    /** Changes whenever the templates change: a snapshot is written only then. */
    public long templateChanges() {
        return netflow.templateStore().changes();
    }

    /**
     * Housekeeping, about once a second: drop template-less data sets older than the pending age (so
     * the count of expired sets is current even without traffic).
     *
     * @param epochNanos now, wall clock, ns since the epoch (the time base of received datagrams)
     */
    public void expire(long epochNanos) {
        netflow.templateStore().expire(epochNanos);
    }
}

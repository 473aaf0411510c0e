package io.sluice.service;

import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.template.TemplateSnapshot;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.sluice.config.SluiceConfig;
import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.FlowDecoder;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.decode.netflow.NetflowDecoders;
import io.sluice.decode.sflow.SflowDecoder;
import io.sluice.decode.template.TemplateStore;
import io.sluice.metrics.TemplateStoreStats;

/**
 * sluice's decoders for the service: sFlow v5, NetFlow v5/v9 and IPFIX behind the version dispatch,
 * with one NetFlow/IPFIX template store shared by every worker of every listener (templates are per
 * exporter, whichever port they arrive on), configured from the `sampling` and `templates` keys.
 */
public final class StandardDecoders implements DecoderFactory {
    private final NetflowDecoders netflow;

    public StandardDecoders(SluiceConfig config) {
        NetflowConfig nc = NetflowConfig.defaults()
                .withPending(config.templates().pendingMaxSets(), config.templates().pendingMaxAge())
                .withLimits(config.templates().pendingMaxTotal(), config.templates().maxTemplates())
                .withDefaultSamplingRate(config.sampling().defaultRate())
                .withExporterSamplingRates(config.sampling().exporters());
        this.netflow = new NetflowDecoders(nc);
    }

    @Override
    public DatagramDecoder newDecoder(SluiceConfig.Protocol protocol) {
        boolean sflow = protocol == SluiceConfig.Protocol.AUTO || protocol == SluiceConfig.Protocol.SFLOW;
        boolean nf = protocol == SluiceConfig.Protocol.AUTO || protocol == SluiceConfig.Protocol.NETFLOW;
        boolean ipfix = protocol == SluiceConfig.Protocol.AUTO || protocol == SluiceConfig.Protocol.IPFIX;
        return new FlowDecoder(
                sflow ? new SflowDecoder() : null,
                nf ? netflow.newNetflowV5() : null,
                nf ? netflow.newNetflowV9() : null,
                ipfix ? netflow.newIpfix() : null);
    }

    @Override
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
        };
    }

    /**
     * The snapshot's templates go through this process's own v9/IPFIX decoders as the exporters' template
     * messages. Before any datagram is read nothing is parked, so no flow can come out: the sink counts
     * them anyway (a flow here would be lost, and is logged).
     */
    @Override
    public int restoreTemplates(Path file, Duration maxAge) throws IOException {
        TemplateStore store = netflow.templateStore();
        long before = store.changes();
        List<CapturedDatagram> messages = TemplateSnapshot.restore(store, file, maxAge);
        FlowDecoder decoder = new FlowDecoder(null, null, netflow.newNetflowV9(), netflow.newIpfix());
        DecodeStats stats = new DecodeStats();
        Datagram datagram = new Datagram(0);
        long[] flows = {0};
        FlowSink sink = new FlowSink() {
            @Override
            public void flow(FlowRecord flow) {
                flows[0]++;
            }
        };
        for (CapturedDatagram m : messages) {
            datagram.buffer = ByteBuffer.wrap(m.payload());
            datagram.length = m.payload().length;
            datagram.setExporter(m.sourceAddress(), m.sourcePort());
            datagram.timeReceivedNs = System.currentTimeMillis() * 1_000_000L;
            decoder.decode(datagram, sink, stats);
        }
        if (flows[0] > 0 || stats.totalErrors() > 0) {
            throw new IOException("restoring " + file + " decoded " + flows[0] + " flows and " + stats.totalErrors() + " errors");
        }
        return (int) (store.changes() - before);
    }

    @Override
    public List<CapturedDatagram> snapshotTemplates(Path file, Duration maxAge) throws IOException {
        return TemplateSnapshot.restore(netflow.templateStore(), file, maxAge);
    }

    @Override
    public void saveTemplates(Path file) throws IOException {
        TemplateSnapshot.write(netflow.templateStore(), file);
    }

    @Override
    public void forEachTemplate(java.util.function.BiConsumer<io.sluice.decode.template.TemplateKey,
            io.sluice.decode.template.Template> action) {
        netflow.templateStore().forEachTemplate(action);
    }

    @Override
    public long templateChanges() {
        return netflow.templateStore().changes();
    }

    @Override
    public void expire(long epochNanos) {
        netflow.templateStore().expire(epochNanos);
    }
}

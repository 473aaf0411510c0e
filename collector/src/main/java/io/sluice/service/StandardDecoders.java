package io.sluice.service;

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
        };
    }

    @Override
    public void expire(long epochNanos) {
        netflow.templateStore().expire(epochNanos);
    }
}

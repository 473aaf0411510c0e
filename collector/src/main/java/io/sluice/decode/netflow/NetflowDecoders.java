package io.sluice.decode.netflow;

import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.template.TemplateStore;

/**
 * The NetFlow v5 / v9 / IPFIX decoders' wiring: one {@link TemplateStore} for the whole process, and
 * per worker thread its own decoder instances (they own reusable state) around that store.
 */
public final class NetflowDecoders {
    private final NetflowConfig config;
    private final TemplateStore store;

    public NetflowDecoders(NetflowConfig config) {
        this.config = config;
        this.store = new TemplateStore(config.maxPendingSetsPerExporter(), config.maxPendingSetsTotal(),
                config.maxPendingAge().toNanos(), config.maxTemplates(), config.bounds());
    }

    public NetflowConfig config() {
        return config;
    }

    /** The shared store: template count, pending and expired sets for the metrics. */
    public TemplateStore templateStore() {
        return store;
    }

    /** A NetFlow v5 decoder for one worker. */
    public DatagramDecoder newNetflowV5() {
        return new NetflowV5Decoder(config);
    }

    /** A NetFlow v9 decoder for one worker, sharing the template store. */
    public DatagramDecoder newNetflowV9() {
        return new NetflowV9Decoder(store, config);
    }

    /** An IPFIX decoder for one worker, sharing the template store. */
    public DatagramDecoder newIpfix() {
        return new IpfixDecoder(store, config);
    }
}

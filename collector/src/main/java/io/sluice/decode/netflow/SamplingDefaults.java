package io.sluice.decode.netflow;

import io.sluice.decode.template.TemplateKey;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * The configured sampling rate of an exporter (its own, else the global one), looked up without
 * allocation: the map is built once, keyed like the template store, and only read afterwards.
 */
final class SamplingDefaults {
    private final Map<TemplateKey, Long> perExporter = new HashMap<>();
    private final long global;
    private final TemplateKey lookup = new TemplateKey();

    SamplingDefaults(NetflowConfig config) {
        this.global = config.defaultSamplingRate();
        for (Map.Entry<InetAddress, Long> e : config.exporterSamplingRates().entrySet()) {
            byte[] a = e.getKey().getAddress();
            perExporter.put(new TemplateKey().set(a, a.length, 0, 0, 0), e.getValue());
        }
    }

    /** The default rate for the exporter at {@code address[0, length)}; 0 when none is configured. */
    long rateFor(byte[] address, int length) {
        if (perExporter.isEmpty()) return global;
        Long r = perExporter.get(lookup.set(address, length, 0, 0, 0));
        return r != null ? r : global;
    }
}

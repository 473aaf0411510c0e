package io.sluice.decode.template;

import java.time.Duration;

/**
 * The memory bounds of the template store, in bytes as well as counts, so that no flood (spoofed
 * exporters, huge templates, data that never finds its template) can grow the heap past them.
 *
 * @param maxTemplateBytes            estimated heap of all templates ({@link Template#footprintBytes})
 * @param maxTemplateBytesPerExporter the same for one exporter address
 * @param maxTemplatesPerExporter     templates of one exporter address (all versions and domains)
 * @param templateIdleTimeout         a template neither re-sent nor used for this long is forgotten
 * @param maxPendingBytes             bytes of parked data sets (plus a fixed overhead each), all exporters
 * @param maxPendingBytesPerExporter  the same for one exporter address
 */
public record StoreBounds(long maxTemplateBytes, long maxTemplateBytesPerExporter, int maxTemplatesPerExporter,
                          Duration templateIdleTimeout, long maxPendingBytes, long maxPendingBytesPerExporter) {
    private static final long MIB = 1024 * 1024;

    public StoreBounds {
        if (maxTemplateBytes < 1 || maxTemplateBytesPerExporter < 1 || maxTemplatesPerExporter < 1
                || maxPendingBytes < 0 || maxPendingBytesPerExporter < 0) {
            throw new IllegalArgumentException("template store bounds must be positive");
        }
        if (templateIdleTimeout == null || templateIdleTimeout.isNegative() || templateIdleTimeout.isZero()) {
            throw new IllegalArgumentException("templateIdleTimeout must be > 0");
        }
    }

    /**
     * 64 MiB of templates (4 MiB and 1,024 templates per exporter), idle for 1 h, 64 MiB of parked data
     * (4 MiB per exporter): together well under a quarter of a 512 MiB heap (docs/configuration.md).
     */
    public static StoreBounds defaults() {
        return new StoreBounds(64 * MIB, 4 * MIB, 1024, Duration.ofHours(1), 64 * MIB, 4 * MIB);
    }
}

package io.sluice.metrics;

/**
 * What the metrics read from a listener's NetFlow v9 / IPFIX template store at scrape time. The
 * decoders' template store implements it (or the service adapts it); {@link #NONE} until one is wired.
 */
public interface TemplateStoreStats {
    /** Templates currently known (data and options), all exporters. */
    long templates();

    /** Data sets held waiting for their template (bounded by the pending limits). */
    long pendingTemplateSets();

    /** Pending data sets given up on (age or count limit) since start. */
    long pendingTemplateExpired();

    /** Templates refused because the store was full, since start. */
    default long templatesRefused() {
        return 0;
    }

    /** Estimated heap of the templates held (bounded by templates.max-bytes). */
    default long templateBytes() {
        return 0;
    }

    /** Bytes of parked data sets (bounded by templates.pending-max-bytes). */
    default long pendingTemplateBytes() {
        return 0;
    }

    /** Templates evicted to make room for another exporter's, since start. */
    default long templatesEvicted() {
        return 0;
    }

    /** Templates forgotten after templates.idle-timeout unused, since start. */
    default long templatesIdleExpired() {
        return 0;
    }

    TemplateStoreStats NONE = new TemplateStoreStats() {
        @Override
        public long templates() {
            return 0;
        }

        @Override
        public long pendingTemplateSets() {
            return 0;
        }

        @Override
        public long pendingTemplateExpired() {
            return 0;
        }
    };
}

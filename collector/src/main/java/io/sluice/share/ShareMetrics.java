package io.sluice.share;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.ToLongFunction;

/** The template share's figures on /metrics. */
public final class ShareMetrics {
    private ShareMetrics() {}

    public static void register(PrometheusRegistry registry, TemplateShare share) {
        ShareStats s = share.stats();
        counter(registry, "sluice_template_share_published_total", "template and sampling changes this node published to the share topic", s, ShareStats::published);
        counter(registry, "sluice_template_share_publish_dropped_total", "changes not published: the publisher's queue was full", s, ShareStats::publishDropped);
        counter(registry, "sluice_template_share_publish_errors_total", "changes the broker did not take (topic unreachable or failing)", s, ShareStats::publishErrors);
        counter(registry, "sluice_template_share_published_bytes_total", "bytes of keys, values and headers published", s, ShareStats::publishedBytes);
        counter(registry, "sluice_template_share_consumed_total", "records read from the share topic", s, ShareStats::consumed);
        counter(registry, "sluice_template_share_applied_total", "records of other nodes applied to this node's template store", s, ShareStats::applied);
        counter(registry, "sluice_template_share_ignored_own_total", "records this process published itself (read back, ignored)", s, ShareStats::ignoredOwn);
        counter(registry, "sluice_template_share_duplicates_total", "records equal to the definition known here", s, ShareStats::duplicates);
        counter(registry, "sluice_template_share_conflicts_total", "records older (by export time) than the definition known here: not applied", s, ShareStats::conflicts);
        counter(registry, "sluice_template_share_errors_total", "records that could not be read, and failed polls of the topic", s, ShareStats::consumeErrors);
        GaugeWithCallback.builder().name("sluice_template_share_up")
                .help("1 while the share topic answers, 0 while it is unreachable (decoding goes on with local state)")
                .callback(cb -> cb.call(share.degradedReason() == null ? 1 : 0)).register(registry);
    }

    private static void counter(PrometheusRegistry registry, String name, String help, ShareStats s, ToLongFunction<ShareStats> f) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(f.applyAsLong(s))).register(registry);
    }
}

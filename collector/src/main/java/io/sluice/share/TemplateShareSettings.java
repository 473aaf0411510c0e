package io.sluice.share;

import java.time.Duration;

/**
 * The {@code templates.share} section (docs/scaling.md, docs/configuration.md).
 *
 * @param enabled           publish what this node learns and apply what the others learnt (off by default)
 * @param topic             the compacted topic shared by every node
 * @param createTopic       create the topic at start when missing (cleanup.policy=compact)
 * @param partitions        partitions of a created topic (templates are few: 1 keeps one order)
 * @param replicationFactor replication of a created topic; -1 takes the broker's default
 * @param startupWait       how long start waits to have read the topic to its end before serving anyway
 * @param queue             changes waiting for the background publisher; beyond, they are dropped (counted)
 */
public record TemplateShareSettings(boolean enabled, String topic, boolean createTopic, int partitions,
                                    short replicationFactor, Duration startupWait, int queue) {
    public static final TemplateShareSettings DEFAULTS =
            new TemplateShareSettings(false, "sluice-templates", false, 1, (short) -1, Duration.ofSeconds(10), 4096);

    public TemplateShareSettings {
        if (topic == null || topic.isEmpty()) throw new IllegalArgumentException("topic");
        if (partitions < 1 || queue < 1 || startupWait.isNegative()) throw new IllegalArgumentException("bounds");
    }
}

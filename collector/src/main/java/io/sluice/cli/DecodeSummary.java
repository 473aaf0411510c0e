package io.sluice.cli;

import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.metrics.TemplateStoreStats;

/**
 * The one line `sluice decode` prints on stderr at the end: datagrams and flows decoded, decode errors by
 * reason, data sets still waiting for a template (never decoded: their template never came), and what the
 * capture reader skipped.
 */
final class DecodeSummary {
    private DecodeSummary() {}

    static String line(long datagrams, DecodeStats stats, DecodeCommand.CaptureTotals capture, TemplateStoreStats templates) {
        StringBuilder sb = new StringBuilder("decoded ").append(datagrams).append(" datagrams, ")
                .append(stats.totalFlows()).append(" flows; errors: ");
        if (stats.totalErrors() == 0) sb.append("none");
        String sep = "";
        for (DecodeError e : DecodeError.values()) {
            if (stats.errors(e) == 0) continue;
            sb.append(sep).append(e.label).append('=').append(stats.errors(e));
            sep = ", ";
        }
        sb.append("; waiting for a template: ").append(templates.pendingTemplateSets()).append(" data sets");
        if (templates.pendingTemplateExpired() > 0) {
            sb.append(" (").append(templates.pendingTemplateExpired()).append(" more dropped waiting)");
        }
        StringBuilder skipped = new StringBuilder();
        appendCount(skipped, "not_udp", capture.notUdp);
        appendCount(skipped, "other_port", capture.otherPort);
        appendCount(skipped, "truncated", capture.truncated);
        if (capture.unsupportedLinkType > 0) {
            appendCount(skipped, "link_type_" + capture.lastUnsupportedLinkType, capture.unsupportedLinkType);
        }
        if (!skipped.isEmpty()) sb.append("; skipped frames: ").append(skipped);
        if (capture.fragments > 0) {
            sb.append("; fragments: ").append(capture.fragments).append(" read, ").append(capture.reassembled)
                    .append(" datagrams reassembled, ").append(capture.fragmentsDropped).append(" dropped, ")
                    .append(capture.fragmentsIncomplete).append(" incomplete");
        }
        return sb.toString();
    }

    private static void appendCount(StringBuilder sb, String label, long n) {
        if (n == 0) return;
        if (!sb.isEmpty()) sb.append(", ");
        sb.append(label).append('=').append(n);
    }
}

package io.sluice.service;

import io.sluice.output.DropReason;
import io.sluice.output.OutputStats;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether flows are being dropped now, for /healthz and the log: the workers' drop counters are read
 * once a second (housekeeping); flows dropped within the last window ({@link #WINDOW_NANOS} in service) make the service
 * unhealthy, naming the count and reasons. One WARN when dropping starts and one when it has stopped
 * (with how many were dropped in between), so an operator sees the episode without a line per flow.
 * A failing Kafka alone (the output's own readiness) is not enough: a stalled broker fills the
 * producer buffer and drops flows as buffer_full while every send that is made still succeeds.
 */
final class DropWatch {
    private static final Logger log = LoggerFactory.getLogger(DropWatch.class);
    /** How long after the last dropped flow /healthz stays 503: a scrape every 15 s still sees a burst. */
    static final long WINDOW_NANOS = TimeUnit.SECONDS.toNanos(15);

    private final List<OutputStats> outputs;
    private final long windowNanos;
    private final long[] lastByReason = new long[DropReason.values().length];
    private final long[] episodeStart = new long[DropReason.values().length];
    private long lastDropNanos;
    private boolean dropping;
    private volatile String unhealthy;

    DropWatch(List<OutputStats> outputs) {
        this(outputs, WINDOW_NANOS);
    }

    DropWatch(List<OutputStats> outputs, long windowNanos) {
        this.outputs = outputs;
        this.windowNanos = windowNanos;
    }

    /** Reads the counters; called from one thread about once a second. */
    void tick(long nowNanos) {
        long[] now = new long[lastByReason.length];
        for (OutputStats s : outputs) for (DropReason r : DropReason.values()) now[r.ordinal()] += s.dropped(r);
        boolean grew = false;
        for (int i = 0; i < now.length; i++) if (now[i] != lastByReason[i]) grew = true;
        if (grew) {
            if (!dropping) {
                dropping = true;
                System.arraycopy(lastByReason, 0, episodeStart, 0, now.length);
                log.warn("flows are being dropped: {} in the last second (sluice_flows_dropped_total); /healthz says 503 until "
                        + "none is dropped for {} s", reasons(lastByReason, now), TimeUnit.NANOSECONDS.toSeconds(windowNanos));
            }
            lastDropNanos = nowNanos;
        }
        if (dropping && !grew && nowNanos - lastDropNanos >= windowNanos) {
            dropping = false;
            log.warn("flows are no longer dropped: {} dropped in all since it started ({} s without a drop)",
                    reasons(episodeStart, now), TimeUnit.NANOSECONDS.toSeconds(windowNanos));
        }
        unhealthy = dropping ? "flows dropped within the last " + TimeUnit.NANOSECONDS.toSeconds(windowNanos) + " s: "
                + reasons(episodeStart, now) + " since it started" : null;
        System.arraycopy(now, 0, lastByReason, 0, now.length);
    }

    /** Why /healthz is 503 because of drops, or null. */
    String unhealthy() {
        return unhealthy;
    }

    private static String reasons(long[] from, long[] to) {
        StringBuilder b = new StringBuilder();
        long total = 0;
        for (DropReason r : DropReason.values()) {
            long d = to[r.ordinal()] - from[r.ordinal()];
            if (d == 0) continue;
            total += d;
            b.append(b.isEmpty() ? "" : ", ").append(r.label).append('=').append(d);
        }
        return total + " flows (" + b + ")";
    }
}

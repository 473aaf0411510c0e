package io.sluice.guard;

import io.sluice.steering.GuardMaps;
import io.sluice.steering.GuardRules;
import io.sluice.steering.GuardUnavailableException;
import io.sluice.steering.Steering;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The guard of one listener as the rest of sluice sees it (docs/security.md): what it enforces, where
 * (in the kernel, or in the workers when the kernel cannot and the listener allows that), the reload
 * (SIGHUP) and the figures: drops by reason and the top offenders, read from the kernel's LRU maps.
 * The metrics and the /exporters endpoint read these; they never touch a map themselves.
 */
public final class ListenerGuard {
    /** What the top lists hold per reason: bounded so a flood of sources cannot grow /metrics. */
    public static final int TOP = 10;

    /** One source's figures: {@code reason} is not_allowed or rate_limited. */
    public record Offender(InetAddress source, String reason, long dropped, long passed) {}

    private final String listener;
    private final Steering steering;
    private final UserSpaceAllowList.Table userSpace;
    private final LongSupplier userSpaceRefused;
    private volatile GuardRules rules;

    /**
     * @param userSpace the workers' table when the allow-list runs in user space, else null
     * @param userSpaceRefused the workers' refusals (sum), read at scrape time
     */
    public ListenerGuard(String listener, Steering steering, GuardRules rules, UserSpaceAllowList.Table userSpace,
            LongSupplier userSpaceRefused) {
        this.listener = listener;
        this.steering = steering;
        this.rules = rules;
        this.userSpace = userSpace;
        this.userSpaceRefused = userSpaceRefused;
    }

    public String listener() {
        return listener;
    }

    /** The configured rules (in force in the kernel, or their allow-list in user space). */
    public GuardRules rules() {
        return rules;
    }

    /** Whether the allow-list is checked in the workers instead of the kernel. */
    public boolean inUserSpace() {
        return userSpace != null;
    }

    /** Why {@link #reload} would refuse {@code next}, or null when it can apply it in place. */
    public String refuses(GuardRules next) {
        if (userSpace != null) {
            return next.rateLimit() != null ? "listener " + listener + " filters in user space (the kernel cannot run "
                    + "its guard): a rate-limit cannot be enforced there" : null;
        }
        return steering.refusesGuard(next);
    }

    /**
     * Puts {@code next} in force in place: no socket is closed and no datagram of a source allowed before
     * and after is refused in between.
     *
     * @throws GuardUnavailableException {@link #refuses} said why
     */
    public void reload(GuardRules next) {
        String why = refuses(next);
        if (why != null) throw new GuardUnavailableException(why);
        if (userSpace != null) {
            userSpace.set(next.allow());
        } else {
            steering.updateGuard(next);
        }
        rules = next;
    }

    /** Datagrams refused for {@code reason}: in the kernel, plus (not_allowed) in the workers. */
    public long dropped(GuardMaps.DropReason reason) {
        long kernel = steering.bpf().map(b -> b.guard().drops(reason)).orElse(0L);
        return reason == GuardMaps.DropReason.NOT_ALLOWED && userSpace != null ? kernel + userSpaceRefused.getAsLong() : kernel;
    }

    /** Datagrams the workers refused (user-space fallback only). */
    public long droppedInUserSpace() {
        return userSpace == null ? 0 : userSpaceRefused.getAsLong();
    }

    /**
     * The sources dropped most, per reason at most {@link #TOP} (from the kernel's LRU maps: a source
     * evicted by newer ones is missing, see docs/security.md); read at most once a second.
     */
    public List<Offender> topOffenders() {
        long now = System.nanoTime();
        Cached c = cached;
        if (c != null && now - c.atNanos() < TOP_CACHE_NANOS) return c.offenders();
        List<Offender> out = readTopOffenders();
        cached = new Cached(now, out);
        return out;
    }

    /** Walking the LRU maps costs two syscalls per source (16384 at most): once a second is enough for any scraper. */
    private static final long TOP_CACHE_NANOS = 1_000_000_000L;

    private record Cached(long atNanos, List<Offender> offenders) {}

    private volatile Cached cached;

    private List<Offender> readTopOffenders() {
        List<Offender> out = new ArrayList<>();
        steering.bpf().ifPresent(b -> {
            for (GuardMaps.Refused r : b.guard().topRefused(TOP)) {
                out.add(new Offender(r.source(), GuardMaps.DropReason.NOT_ALLOWED.label, r.dropped(), 0));
            }
            for (GuardMaps.Bucket k : b.guard().topRateLimited(TOP)) {
                if (k.rateLimited() > 0) out.add(new Offender(k.source(), GuardMaps.DropReason.RATE_LIMITED.label, k.rateLimited(), k.passed()));
            }
        });
        return List.copyOf(out);
    }
}

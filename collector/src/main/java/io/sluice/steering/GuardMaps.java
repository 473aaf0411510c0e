package io.sluice.steering;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.errno_h;
import io.sluice.libbpf.libbpf_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The guard's maps of one loaded sk_reuseport object (sluice_reuseport.bpf.c): its settings, the
 * allow-list trie, the per-source token buckets, the refused sources and the per-CPU drop counters.
 * {@link #apply} writes new {@link GuardRules} in place while datagrams flow, in an order that never
 * refuses a source allowed both before and after: new prefixes are added first, then the settings
 * switch, then the prefixes that went are removed.
 *
 * <p>{@link #apply} is synchronized (reloads are rare); the readers ({@link #drops}, the top lists) only
 * read the kernel's maps and may run from any scrape thread.
 */
public final class GuardMaps {
    /** sizeof(struct guard_settings), sizeof(struct guard_bucket), struct guard_prefix. */
    static final int SETTINGS_SIZE = 24;
    static final int BUCKET_SIZE = 24;
    static final int PREFIX_KEY_SIZE = 20;
    static final int ADDR_SIZE = 16;
    /** Indexes of guard_drops. */
    public enum DropReason {
        NOT_ALLOWED(0, "not_allowed"), RATE_LIMITED(1, "rate_limited"), UNREADABLE_HEADER(2, "unreadable_header");

        final int index;
        public final String label;

        DropReason(int index, String label) {
            this.index = index;
            this.label = label;
        }
    }

    /** An allowed source's bucket: what passed and what its rate limit refused. */
    public record Bucket(InetAddress source, long passed, long rateLimited) {}

    /** A refused (not allowed) source and how many of its datagrams were dropped. */
    public record Refused(InetAddress source, long dropped) {}

    private static final int CPUS = possibleCpus();

    private final int settingsFd;
    private final int allowFd;
    private final int bucketsFd;
    private final int refusedFd;
    private final int dropsFd;
    private final Set<GuardRules.Prefix> installed = new HashSet<>();
    private GuardRules rules = GuardRules.NONE;

    GuardMaps(int settingsFd, int allowFd, int bucketsFd, int refusedFd, int dropsFd) {
        this.settingsFd = settingsFd;
        this.allowFd = allowFd;
        this.bucketsFd = bucketsFd;
        this.refusedFd = refusedFd;
        this.dropsFd = dropsFd;
    }

    /** Finds the guard maps in {@code object} before load (their layout is checked against this version). */
    static Handles find(BpfObject object) {
        return new Handles(object.map("guard_settings", SETTINGS_SIZE), object.map("allow_list", 1),
                object.map("exporter_buckets", BUCKET_SIZE), object.map("refused_sources", 8), object.map("guard_drops", 8));
    }

    record Handles(BpfObject.MapHandle settings, BpfObject.MapHandle allow, BpfObject.MapHandle buckets,
            BpfObject.MapHandle refused, BpfObject.MapHandle drops) {
        GuardMaps live() {
            return new GuardMaps(settings.fd(), allow.fd(), buckets.fd(), refused.fd(), drops.fd());
        }
    }

    /** The rules in force. */
    public synchronized GuardRules rules() {
        return rules;
    }

    /**
     * Puts {@code next} in force without a gap: see the class comment.
     *
     * @throws BpfLoadException the kernel refused a map update (e.g. more prefixes than the trie holds)
     */
    public synchronized void apply(GuardRules next) {
        Set<GuardRules.Prefix> wanted = next.allow() == null ? Set.of() : next.allow();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(PREFIX_KEY_SIZE, 4);
            MemorySegment one = arena.allocate(8, 8);
            one.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            List<GuardRules.Prefix> added = new ArrayList<>();
            for (GuardRules.Prefix p : wanted) {
                if (installed.contains(p)) continue;
                prefixKey(key, p);
                int rc = libbpf_h.bpf_map_update_elem(allowFd, key, one, libbpf_h.BPF_ANY());
                if (rc < 0) {
                    // back to the rules in force: what this call added would widen them
                    for (GuardRules.Prefix a : added) {
                        prefixKey(key, a);
                        libbpf_h.bpf_map_delete_elem(allowFd, key);
                        installed.remove(a);
                    }
                    check(rc, "add " + p + " to the allow-list (" + installed.size() + " prefixes in force; the map holds "
                            + 2 * GuardRules.MAX_PREFIXES + ", old and new together during a reload)");
                }
                installed.add(p);
                added.add(p);
            }
            MemorySegment settings = arena.allocate(SETTINGS_SIZE, 8);
            settings.set(ValueLayout.JAVA_INT, 0, next.allow() != null ? 1 : 0);
            settings.set(ValueLayout.JAVA_INT, 4, next.rateLimit() != null ? 1 : 0);
            settings.set(ValueLayout.JAVA_LONG, 8, next.rateLimit() == null ? 0 : next.rateLimit().intervalNanos());
            settings.set(ValueLayout.JAVA_LONG, 16, next.rateLimit() == null ? 0 : next.rateLimit().toleranceNanos());
            check(libbpf_h.bpf_map_update_elem(settingsFd, arena.allocate(ValueLayout.JAVA_INT), settings, libbpf_h.BPF_ANY()),
                    "write the guard settings");
            rules = next;
            for (GuardRules.Prefix p : List.copyOf(installed)) {
                if (wanted.contains(p)) continue;
                prefixKey(key, p);
                int rc = libbpf_h.bpf_map_delete_elem(allowFd, key);
                if (rc < 0 && rc != -errno_h.ENOENT()) check(rc, "remove " + p + " from the allow-list");
                installed.remove(p);
            }
        }
    }

    /** Datagrams the guard dropped for {@code reason}, all CPUs. */
    public long drops(DropReason reason) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            key.set(ValueLayout.JAVA_INT, 0, reason.index);
            MemorySegment values = arena.allocate(8L * CPUS, 8);
            if (libbpf_h.bpf_map_lookup_elem(dropsFd, key, values) < 0) return 0;
            long sum = 0;
            for (int cpu = 0; cpu < CPUS; cpu++) sum += values.getAtIndex(ValueLayout.JAVA_LONG, cpu);
            return sum;
        }
    }

    /** The {@code limit} allowed sources whose rate limit refused most (then by passed), from the LRU map. */
    public List<Bucket> topRateLimited(int limit) {
        List<Bucket> all = new ArrayList<>();
        forEach(bucketsFd, BUCKET_SIZE, (source, v) -> all.add(new Bucket(source, v.get(ValueLayout.JAVA_LONG, 8),
                v.get(ValueLayout.JAVA_LONG, 16))));
        all.sort(Comparator.comparingLong(Bucket::rateLimited).thenComparingLong(Bucket::passed).reversed());
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    /** The {@code limit} refused sources with most datagrams dropped, from the LRU map. */
    public List<Refused> topRefused(int limit) {
        List<Refused> all = new ArrayList<>();
        forEach(refusedFd, 8, (source, v) -> all.add(new Refused(source, v.get(ValueLayout.JAVA_LONG, 0))));
        all.sort(Comparator.comparingLong(Refused::dropped).reversed());
        return List.copyOf(all.subList(0, Math.min(limit, all.size())));
    }

    private interface Entry {
        void accept(InetAddress source, MemorySegment value);
    }

    /** Walks a map keyed by 16-byte addresses (bounded by its max_entries: the LRU maps never grow). */
    private static void forEach(int fd, int valueSize, Entry entry) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment key = arena.allocate(ADDR_SIZE, 8);
            MemorySegment next = arena.allocate(ADDR_SIZE, 8);
            MemorySegment value = arena.allocate(valueSize, 8);
            MemorySegment previous = MemorySegment.NULL;
            while (libbpf_h.bpf_map_get_next_key(fd, previous, next) == 0) {
                MemorySegment.copy(next, 0, key, 0, ADDR_SIZE);
                previous = key;
                // an entry may be evicted between the two calls: skip it
                if (libbpf_h.bpf_map_lookup_elem(fd, key, value) == 0) {
                    entry.accept(GuardRules.unmapped(key.toArray(ValueLayout.JAVA_BYTE)), value);
                }
            }
        }
    }

    private static void prefixKey(MemorySegment key, GuardRules.Prefix p) {
        key.set(ValueLayout.JAVA_INT, 0, p.mappedLength());
        MemorySegment.copy(p.mappedBytes(), 0, key, ValueLayout.JAVA_BYTE, 4, ADDR_SIZE);
    }

    private static void check(int rc, String what) {
        if (rc < 0) throw new BpfLoadException("cannot " + what + ": " + Errno.describe(-rc), -rc);
    }

    /** Per-CPU map values come one per possible CPU (/sys/devices/system/cpu/possible, e.g. "0-1"). */
    private static int possibleCpus() {
        try {
            String text = Files.readString(Path.of("/sys/devices/system/cpu/possible")).trim();
            int max = 0;
            for (String part : text.split(",")) {
                String[] range = part.split("-");
                max = Math.max(max, Integer.parseInt(range[range.length - 1].trim()));
            }
            return max + 1;
        } catch (IOException | NumberFormatException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }
}

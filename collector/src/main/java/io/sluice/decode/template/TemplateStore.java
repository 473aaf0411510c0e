package io.sluice.decode.template;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Templates and template-less data sets of every NetFlow v9 / IPFIX exporter (and, beside them, the
 * {@link SamplingTable} their options data fill), shared
 * by all worker threads (eBPF spreads one exporter's datagrams over every socket, so a template and
 * the data needing it usually land on different threads).
 *
 * <p>Reads are lock-free: {@link ConcurrentHashMap#get} with the caller's reusable {@link TemplateKey}
 * (no allocation) returning immutable {@link Template}s. Writes (templates arrive every few seconds per
 * exporter) copy the key. Data sets whose template is unknown wait in a per-exporter buffer bounded in
 * count and age; whatever leaves it without being decoded is counted in {@link #expiredSets()}.
 *
 * <p>No lost wake-up between a data set parked by one thread and its template learnt by another: the
 * learner publishes the template THEN takes the parked sets; the parker parks THEN looks the template
 * up again and, if it is there now, takes the parked sets itself. Taking is atomic per exporter, so each
 * parked set is decoded exactly once.
 *
 * <p>Memory is bounded in bytes ({@link StoreBounds}), total and per exporter address, for templates and
 * parked sets alike. Template writes take the store's lock (they are rare: an unchanged refresh stores
 * nothing), so the count and byte limits are exact, never limit+1. When a new template does not fit,
 * the store evicts whole exporters in first-learnt order, giving a second chance to any exporter that
 * re-sent or used a template since the last pass (a clock): spoofed exporters, which never refresh, go
 * first, and a real exporter's template is learnt at its next refresh however full the store was.
 * Templates neither re-sent nor used for {@link StoreBounds#templateIdleTimeout} are forgotten by
 * {@link #expire}.
 */
public final class TemplateStore {
    private final ConcurrentHashMap<TemplateKey, Template> templates = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TemplateKey, ExporterPending> pending = new ConcurrentHashMap<>();
    private final SamplingTable sampling;

    private final int maxPendingPerExporter;
    private final int maxPendingTotal;
    private final long maxPendingAgeNs;
    private final int maxTemplates;
    private final StoreBounds bounds;
    /** Per exporter address: its template keys and bytes, in first-learnt order (the eviction clock). Under the lock. */
    private final LinkedHashMap<TemplateKey, ExporterTemplates> exporters = new LinkedHashMap<>();
    private long templateBytes; // under the lock; read racily by metrics
    private long lastIdleScanNs; // under the lock
    private final LongAdder evictedTemplates = new LongAdder();
    private final LongAdder idleTemplates = new LongAdder();
    private final AtomicLong pendingSets = new AtomicLong();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final LongAdder expiredSets = new LongAdder();
    private final LongAdder refusedTemplates = new LongAdder();
    /** Bumped by every stored change of templates or per-domain values (rare: unchanged refreshes store nothing). */
    private final AtomicLong changes = new AtomicLong();

    /**
     * @param maxPendingPerExporter data sets kept per exporter while their template is unknown (0: none)
     * @param maxPendingTotal       the same bound for all exporters together
     * @param maxPendingAgeNs       how long such a set may wait, in ns of receive time
     * @param maxTemplates          templates kept, all exporters together (a spoofing flood cannot fill memory)
     */
    public TemplateStore(int maxPendingPerExporter, int maxPendingTotal, long maxPendingAgeNs, int maxTemplates) {
        this(maxPendingPerExporter, maxPendingTotal, maxPendingAgeNs, maxTemplates, StoreBounds.defaults());
    }

    /** The same with byte bounds, a per-exporter limit and the idle timeout of {@code bounds}. */
    public TemplateStore(int maxPendingPerExporter, int maxPendingTotal, long maxPendingAgeNs, int maxTemplates,
                         StoreBounds bounds) {
        if (maxPendingPerExporter < 0 || maxPendingTotal < 0 || maxPendingAgeNs < 0 || maxTemplates < 1) {
            throw new IllegalArgumentException("negative bound");
        }
        this.maxPendingPerExporter = maxPendingPerExporter;
        this.maxPendingTotal = maxPendingTotal;
        this.maxPendingAgeNs = maxPendingAgeNs;
        this.maxTemplates = maxTemplates;
        this.bounds = bounds;
        this.sampling = new SamplingTable(maxTemplates, changes);
    }

    /** Told of what exporters change here (the template share); {@link TemplateObserver#NONE} by default. */
    private volatile TemplateObserver observer = TemplateObserver.NONE;

    /** Sets who is told of the exporters' changes (templates and sampling values). */
    public void setObserver(TemplateObserver o) {
        observer = o == null ? TemplateObserver.NONE : o;
        sampling.observer = observer;
    }

    /** Who is told of the exporters' changes: the decoders call it after a learn or withdrawal. */
    public TemplateObserver observer() {
        return observer;
    }

    /** What options data said about sampling rates and boot times (stored changes bump {@link #changes()}). */
    public SamplingTable sampling() {
        return sampling;
    }

    // ---- templates -------------------------------------------------------------------------------

    /** The template for {@code key}, or null. Lock-free, allocation-free. */
    public Template get(TemplateKey key) {
        return templates.get(key);
    }

    /**
     * Learns or redefines a template (the key is copied; {@code template}'s {@link Template#lastSeenNs} is
     * the time of learning). Refused (false, counted in {@link #refusedTemplates()}) when the exporter is
     * at its count or byte limit, or when the store cannot make room by evicting idle exporters.
     */
    public synchronized boolean put(TemplateKey key, Template template) {
        TemplateKey exporterKey = key.exporterOnly();
        ExporterTemplates mine = exporters.get(exporterKey);
        Template old = templates.get(key);
        long bytes = template.footprintBytes();
        long oldBytes = old == null ? 0 : old.footprintBytes();
        boolean fitsExporter = mine == null
                ? bytes <= bounds.maxTemplateBytesPerExporter()
                : (old != null || mine.keys.size() < bounds.maxTemplatesPerExporter())
                        && mine.bytes - oldBytes + bytes <= bounds.maxTemplateBytesPerExporter();
        if (!fitsExporter) {
            refusedTemplates.increment();
            return false;
        }
        while (templateBytes - oldBytes + bytes > bounds.maxTemplateBytes()
                || (old == null && templates.size() >= maxTemplates)) {
            if (!evictOneExporter(exporterKey, template.lastSeenNs())) {
                refusedTemplates.increment();
                return false;
            }
        }
        if (mine == null) {
            mine = new ExporterTemplates(template.lastSeenNs());
            exporters.put(exporterKey, mine);
        }
        TemplateKey stored = key.copy();
        templates.put(stored, template);
        mine.keys.add(stored);
        mine.bytes += bytes - oldBytes;
        templateBytes += bytes - oldBytes;
        changes.incrementAndGet();
        return true;
    }

    /**
     * One turn of the clock: evicts the first exporter (other than {@code keep}) that neither re-sent nor
     * used a template since its last check; exporters that did are checked again at the tail. False when
     * two whole turns found nothing to evict (the first turn clears every second chance, so only
     * {@code keep} alone, or exporters seen again within the turn, survive both).
     */
    private boolean evictOneExporter(TemplateKey keep, long nowNs) {
        for (int turn = 2 * exporters.size(); turn > 0; turn--) {
            var it = exporters.entrySet().iterator();
            if (!it.hasNext()) return false;
            var head = it.next();
            ExporterTemplates e = head.getValue();
            it.remove();
            if (head.getKey().equals(keep) || seenSince(e)) {
                e.checkedAtNs = Math.max(e.checkedAtNs, nowNs);
                exporters.put(head.getKey(), e); // second chance: to the tail
                continue;
            }
            forget(head.getKey(), e);
            evictedTemplates.add(e.keys.size());
            return true;
        }
        return false;
    }

    /** Drops every template and sampling entry of an exporter; under the lock. */
    private void forget(TemplateKey exporterKey, ExporterTemplates e) {
        for (TemplateKey k : e.keys) templates.remove(k);
        templateBytes -= e.bytes;
        sampling.removeExporter(exporterKey);
        changes.incrementAndGet();
    }

    /** Templates refused (exporter at its limit, or no room could be made), since start. */
    public long refusedTemplates() {
        return refusedTemplates.sum();
    }

    /** Templates evicted to make room for another exporter's, since start. */
    public long evictedTemplates() {
        return evictedTemplates.sum();
    }

    /** Templates forgotten after {@link StoreBounds#templateIdleTimeout} without use, since start. */
    public long idleTemplates() {
        return idleTemplates.sum();
    }

    /** Estimated heap held by the templates now ({@link Template#footprintBytes}). */
    public long templateBytes() {
        return templateBytes;
    }

    /** Exporter addresses holding templates now. */
    public synchronized int templateExporters() {
        return exporters.size();
    }

    /** Withdraws one template; true if it was known. */
    public synchronized boolean remove(TemplateKey key) {
        Template old = templates.remove(key);
        if (old == null) return false;
        account(key, old);
        changes.incrementAndGet();
        return true;
    }

    /** Takes a removed template off its exporter's books; under the lock. */
    private void account(TemplateKey key, Template removed) {
        TemplateKey exporterKey = key.exporterOnly();
        ExporterTemplates e = exporters.get(exporterKey);
        if (e == null) return;
        e.keys.remove(key);
        e.bytes -= removed.footprintBytes();
        templateBytes -= removed.footprintBytes();
        if (e.keys.isEmpty()) exporters.remove(exporterKey);
    }

    /**
     * Withdraws every template (or every options template) of the exporter/version/domain of
     * {@code domainKey} (IPFIX withdrawal of template id 2 or 3). Rare, so a scan of the exporter is fine.
     */
    public synchronized int removeAll(TemplateKey domainKey, boolean options) {
        return removeAllKeys(domainKey, options).size();
    }

    /** {@link #removeAll}, returning the keys withdrawn (to tell an observer which). */
    public synchronized List<TemplateKey> removeAllKeys(TemplateKey domainKey, boolean options) {
        ExporterTemplates e = exporters.get(domainKey.exporterOnly());
        if (e == null) return List.of();
        List<TemplateKey> gone = new ArrayList<>();
        for (TemplateKey k : e.keys) {
            Template t = templates.get(k);
            if (k.sameDomain(domainKey) && t != null && t.options == options) gone.add(k);
        }
        for (TemplateKey k : gone) remove(k);
        return gone;
    }

    /**
     * Forgets templates neither re-sent nor used for the idle timeout at {@code nowNs}; returns how many.
     * The scan holds the write lock over every template, so it runs at most once a minute (or once per
     * timeout, if shorter): a template goes at most that much after its timeout.
     */
    public synchronized int expireIdleTemplates(long nowNs) {
        long limit = bounds.templateIdleTimeout().toNanos();
        if (lastIdleScanNs != 0 && nowNs - lastIdleScanNs < Math.min(limit, 60_000_000_000L)) return 0;
        lastIdleScanNs = nowNs;
        List<TemplateKey> idle = new ArrayList<>();
        templates.forEach((k, t) -> {
            if (nowNs - t.lastSeenNs() > limit) idle.add(k);
        });
        for (TemplateKey k : idle) remove(k);
        idleTemplates.add(idle.size());
        return idle.size();
    }

    /** One exporter address's templates; under the store's lock. */
    private static final class ExporterTemplates {
        final Set<TemplateKey> keys = new HashSet<>();
        long bytes;
        /** When the clock last gave this exporter a chance (or it was first learnt). */
        long checkedAtNs;

        ExporterTemplates(long learntAtNs) {
            checkedAtNs = learntAtNs;
        }
    }

    /** Whether any template of {@code e} was re-sent or used after its last check; under the lock. */
    private boolean seenSince(ExporterTemplates e) {
        for (TemplateKey k : e.keys) {
            Template t = templates.get(k);
            if (t != null && t.lastSeenNs() > e.checkedAtNs) return true;
        }
        return false;
    }

    public int templateCount() {
        return templates.size();
    }

    /** A number that changes whenever a template or per-domain value is stored or withdrawn: snapshots skip unchanged stores. */
    public long changes() {
        return changes.get();
    }

    /**
     * Calls {@code action} on every template (a weakly consistent view: templates learnt meanwhile may
     * be missed). For snapshots ({@link TemplateSnapshot}), off the hot path.
     */
    public void forEachTemplate(java.util.function.BiConsumer<TemplateKey, Template> action) {
        templates.forEach(action);
    }

    // ---- data waiting for its template -----------------------------------------------------------

    /** Whether any set waits (one volatile read: lets template learners skip the pending lookup). */
    public boolean hasPending() {
        return pendingSets.get() != 0;
    }

    /**
     * Parks a data set until its template arrives. Sets older than the age bound, and the oldest set
     * when the exporter's buffer is full, are dropped and counted as expired.
     */
    public void addPending(PendingSet set) {
        if (maxPendingPerExporter == 0 || pendingSets.get() >= maxPendingTotal
                || pendingBytes.get() + footprint(set) > bounds.maxPendingBytes()
                || footprint(set) > bounds.maxPendingBytesPerExporter()) {
            expiredSets.increment(); // no room: dropped at once (approximate under races, never unbounded)
            return;
        }
        TemplateKey exporter = set.key().exporterOnly();
        // A buffer found empty by the idle sweep is retired and unmapped; then take a fresh one.
        for (int attempt = 0; attempt < 4; attempt++) {
            if (pending.computeIfAbsent(exporter, k -> new ExporterPending()).add(set, set.timeReceivedNs())) return;
        }
        expiredSets.increment();
    }

    /**
     * Takes (removes and returns) the parked sets that need the template of {@code key} (same exporter,
     * version, domain and template id), in arrival order; expired ones are dropped and counted.
     */
    public List<PendingSet> takePending(TemplateKey key, long nowNs) {
        if (!hasPending()) return List.of();
        ExporterPending buffer = pending.get(key.exporterOnly());
        if (buffer == null) return List.of();
        return buffer.take(key, nowNs);
    }

    /** Heap a parked set costs: its bytes plus the record, header copy and key (estimated). */
    static long footprint(PendingSet set) {
        return set.records().length + 200L;
    }

    /** Bytes of parked sets now (see {@link #footprint}). */
    public long pendingBytes() {
        return pendingBytes.get();
    }

    /**
     * Drops every parked set older than the age bound at {@code nowNs} (returns how many) and forgets
     * templates idle for longer than {@link StoreBounds#templateIdleTimeout}. Call from idle time.
     */
    public int expire(long nowNs) {
        expireIdleTemplates(nowNs);
        int n = 0;
        for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
            ExporterPending buffer = it.next().getValue();
            n += buffer.expire(nowNs);
            // Forget exporters with nothing waiting (spoofed sources would otherwise pile up here).
            buffer.retireIfEmpty(it);
        }
        return n;
    }

    /** Exporters holding a buffer of parked sets (empty ones are forgotten by {@link #expire}). */
    public int pendingExporters() {
        return pending.size();
    }

    /** Sets parked now, all exporters. */
    public long pendingSets() {
        return pendingSets.get();
    }

    /** Sets dropped without being decoded (too old, or buffer full): sluice_pending_template_expired_total. */
    public long expiredSets() {
        return expiredSets.sum();
    }

    /** One exporter's parked sets; the lock is only taken on the slow path (unknown template). */
    private final class ExporterPending {
        private final ArrayDeque<PendingSet> sets = new ArrayDeque<>();
        private long bytes;
        /** Unmapped by the sweep: adders must take a fresh buffer from the map. */
        private boolean retired;

        /** False when retired (nothing added). */
        synchronized boolean add(PendingSet set, long nowNs) {
            if (retired) return false;
            expireLocked(nowNs);
            long size = footprint(set);
            // Oldest first out, until both the count and the byte bound of this exporter have room.
            while (!sets.isEmpty() && (sets.size() >= maxPendingPerExporter
                    || bytes + size > bounds.maxPendingBytesPerExporter())) {
                drop(sets.pollFirst());
                expiredSets.increment();
            }
            sets.addLast(set);
            bytes += size;
            pendingBytes.addAndGet(size);
            pendingSets.incrementAndGet();
            return true;
        }

        /** Unmaps this buffer (through the sweep's iterator) when nothing waits in it; under its lock. */
        synchronized void retireIfEmpty(Iterator<?> it) {
            if (sets.isEmpty()) {
                retired = true;
                it.remove();
            }
        }

        synchronized List<PendingSet> take(TemplateKey key, long nowNs) {
            expireLocked(nowNs);
            List<PendingSet> taken = null;
            for (Iterator<PendingSet> it = sets.iterator(); it.hasNext(); ) {
                PendingSet s = it.next();
                if (s.key().equals(key)) {
                    it.remove();
                    bytes -= footprint(s);
                    pendingBytes.addAndGet(-footprint(s));
                    pendingSets.decrementAndGet();
                    if (taken == null) taken = new ArrayList<>();
                    taken.add(s);
                }
            }
            return taken == null ? List.of() : taken;
        }

        synchronized int expire(long nowNs) {
            return expireLocked(nowNs);
        }

        /** Takes a set that leaves this buffer off the books; under its lock. */
        private void drop(PendingSet s) {
            bytes -= footprint(s);
            pendingBytes.addAndGet(-footprint(s));
            pendingSets.decrementAndGet();
        }

        private int expireLocked(long nowNs) {
            int n = 0;
            PendingSet first;
            while ((first = sets.peekFirst()) != null && nowNs - first.timeReceivedNs() > maxPendingAgeNs) {
                drop(sets.pollFirst());
                expiredSets.increment();
                n++;
            }
            return n;
        }
    }
}

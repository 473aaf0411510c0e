package io.sluice.decode.template;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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
 */
public final class TemplateStore {
    private final ConcurrentHashMap<TemplateKey, Template> templates = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TemplateKey, ExporterPending> pending = new ConcurrentHashMap<>();
    private final SamplingTable sampling;

    private final int maxPendingPerExporter;
    private final int maxPendingTotal;
    private final long maxPendingAgeNs;
    private final int maxTemplates;
    private final AtomicLong pendingSets = new AtomicLong();
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
        if (maxPendingPerExporter < 0 || maxPendingTotal < 0 || maxPendingAgeNs < 0 || maxTemplates < 1) {
            throw new IllegalArgumentException("negative bound");
        }
        this.maxPendingPerExporter = maxPendingPerExporter;
        this.maxPendingTotal = maxPendingTotal;
        this.maxPendingAgeNs = maxPendingAgeNs;
        this.maxTemplates = maxTemplates;
        this.sampling = new SamplingTable(maxTemplates, changes);
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
     * Learns or redefines a template (the key is copied). A new key is refused (false, counted in
     * {@link #refusedTemplates()}) when the store already holds its maximum; redefinitions always pass.
     */
    public boolean put(TemplateKey key, Template template) {
        if (templates.size() >= maxTemplates && !templates.containsKey(key)) {
            refusedTemplates.increment();
            return false;
        }
        templates.put(key.copy(), template);
        changes.incrementAndGet();
        return true;
    }

    /** Templates refused because the store was full. */
    public long refusedTemplates() {
        return refusedTemplates.sum();
    }

    /** Withdraws one template; true if it was known. */
    public boolean remove(TemplateKey key) {
        boolean removed = templates.remove(key) != null;
        if (removed) changes.incrementAndGet();
        return removed;
    }

    /**
     * Withdraws every template (or every options template) of the exporter/version/domain of
     * {@code domainKey} (IPFIX withdrawal of template id 2 or 3). Rare, so a scan is fine.
     */
    public int removeAll(TemplateKey domainKey, boolean options) {
        int removed = 0;
        for (Iterator<java.util.Map.Entry<TemplateKey, Template>> it = templates.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().sameDomain(domainKey) && e.getValue().options == options) {
                it.remove();
                removed++;
                changes.incrementAndGet();
            }
        }
        return removed;
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
        if (maxPendingPerExporter == 0 || pendingSets.get() >= maxPendingTotal) {
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

    /** Drops every parked set older than the age bound at {@code nowNs}; returns how many. Call from idle time. */
    public int expire(long nowNs) {
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
        /** Unmapped by the sweep: adders must take a fresh buffer from the map. */
        private boolean retired;

        /** False when retired (nothing added). */
        synchronized boolean add(PendingSet set, long nowNs) {
            if (retired) return false;
            expireLocked(nowNs);
            if (sets.size() >= maxPendingPerExporter) {
                sets.pollFirst();
                pendingSets.decrementAndGet();
                expiredSets.increment();
            }
            sets.addLast(set);
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

        private int expireLocked(long nowNs) {
            int n = 0;
            PendingSet first;
            while ((first = sets.peekFirst()) != null && nowNs - first.timeReceivedNs() > maxPendingAgeNs) {
                sets.pollFirst();
                pendingSets.decrementAndGet();
                expiredSets.increment();
                n++;
            }
            return n;
        }
    }
}

package io.sluice.decode.template;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * What NetFlow v9 / IPFIX options data said about sampling and time, shared by every worker: rates per
 * sampler / selector id, the rate of a whole exporter/version/domain, and the domain's IPFIX
 * systemInitTimeMilliseconds (the base of flowStart/EndSysUpTime). Options records are a few per
 * exporter per refresh, data records read them once per set: lock-free reads, writes only on change.
 *
 * <p>Keys: a sampler entry is keyed by (exporter, version, domain, sampler id); per-domain state by the
 * same key with id 0 ({@link TemplateKey#isDomainKey()}); a key with another id is refused there rather
 * than silently re-targeted (the caller's key is never changed). Every map is bounded (sampler ids are
 * 64-bit and hostile options data could invent many); an entry beyond the bound is not kept.
 */
public final class SamplingTable {
    private final ConcurrentHashMap<TemplateKey, SamplingRate> samplers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TemplateKey, SamplingRate> domainRates = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TemplateKey, Long> systemInit = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final AtomicLong changes;
    /** Kinds of value, as a {@link TemplateObserver} is told of them (and the template share keys them). */
    public static final int SAMPLER_RATE = 2, DOMAIN_RATE = 3, SYSTEM_INIT = 4;
    /** Told of stored changes (set by {@link TemplateStore#setObserver}). */
    volatile TemplateObserver observer = TemplateObserver.NONE;

    /** @param changes bumped on every stored change (the store's counter: snapshots skip unchanged state) */
    SamplingTable(int maxEntries, AtomicLong changes) {
        this.maxEntries = maxEntries;
        this.changes = changes;
    }

    /** Records the rate of a sampler/selector id (the key's id is that id). */
    public void putSamplerRate(TemplateKey samplerKey, long rate, int source) {
        putRate(samplers, samplerKey, rate, source);
    }

    /** The rate of a sampler/selector id, or null. */
    public SamplingRate samplerRate(TemplateKey samplerKey) {
        return samplers.get(samplerKey);
    }

    /** Records the rate that applies to a whole exporter/version/domain. */
    public void putDomainRate(TemplateKey domainKey, long rate, int source) {
        putRate(domainRates, requireDomain(domainKey), rate, source);
    }

    /** The rate of the exporter/version/domain, or null. */
    public SamplingRate domainRate(TemplateKey domainKey) {
        return domainRates.get(requireDomain(domainKey));
    }

    /** Records when the exporter's domain booted (IPFIX IE 160, unix ms). */
    public void putSystemInitMillis(TemplateKey domainKey, long unixMillis) {
        Long known = systemInit.get(requireDomain(domainKey));
        if (known != null && known == unixMillis) return; // the usual refresh: no boxing, no write
        if (put(systemInit, domainKey, unixMillis)) observer.samplingChanged(SYSTEM_INIT, domainKey, unixMillis, 0);
    }

    /** The domain's systemInitTimeMilliseconds, or 0 when never said. */
    public long systemInitMillis(TemplateKey domainKey) {
        Long v = systemInit.get(requireDomain(domainKey));
        return v == null ? 0 : v;
    }

    /** Entries of all three kinds (what the snapshot and the byte accounting see). */
    public int size() {
        return samplers.size() + domainRates.size() + systemInit.size();
    }

    public void forEachSamplerRate(BiConsumer<TemplateKey, SamplingRate> action) {
        samplers.forEach(action);
    }

    public void forEachDomainRate(BiConsumer<TemplateKey, SamplingRate> action) {
        domainRates.forEach(action);
    }

    public void forEachSystemInit(BiConsumer<TemplateKey, Long> action) {
        systemInit.forEach(action);
    }

    /** Forgets every entry of the exporter of {@code exporterKey} (its templates expired or were evicted). */
    void removeExporter(TemplateKey exporterKey) {
        if (size() == 0) return; // the usual flood: spoofed exporters send no options data
        samplers.keySet().removeIf(k -> k.sameExporter(exporterKey));
        domainRates.keySet().removeIf(k -> k.sameExporter(exporterKey));
        systemInit.keySet().removeIf(k -> k.sameExporter(exporterKey));
    }

    /** As {@link #put}, comparing before building a value: options records repeat every refresh. */
    private void putRate(ConcurrentHashMap<TemplateKey, SamplingRate> map, TemplateKey key, long rate, int source) {
        SamplingRate known = map.get(key);
        if (known != null && known.rate() == rate && known.source() == source) return; // no write, no garbage
        if (put(map, key, new SamplingRate(rate, source))) {
            observer.samplingChanged(map == samplers ? SAMPLER_RATE : DOMAIN_RATE, key, rate, source);
        }
    }

    /** True when stored (a change). */
    private <V> boolean put(ConcurrentHashMap<TemplateKey, V> map, TemplateKey key, V value) {
        V known = map.get(key);
        if (value.equals(known)) return false; // the usual refresh: no write, no garbage
        if (known == null && map.size() >= maxEntries) return false;
        map.put(key.copy(), value);
        changes.incrementAndGet();
        return true;
    }

    private static TemplateKey requireDomain(TemplateKey key) {
        if (!key.isDomainKey()) throw new IllegalArgumentException("per-domain state needs id 0: " + key);
        return key;
    }
}

package io.sluice.decode.template;

/**
 * Told of what the exporters changed in a {@link TemplateStore}: a template learnt or redefined, one
 * withdrawn, a sampling or time value of options data changed. Never told of unchanged refreshes (the
 * store keeps nothing for them) nor of the store's own forgetting (idle expiry, eviction: local memory
 * bounds, not what the exporter said). Called on the worker that decoded the message, so an observer
 * must not block (the template share hands the change to a background publisher).
 */
public interface TemplateObserver {
    /** No one listens (the default). */
    TemplateObserver NONE = new TemplateObserver() {};

    /** {@code template} was stored for {@code key} (a key the caller reuses: copy what is kept). */
    default void learnt(TemplateKey key, Template template, MessageHeader header) {}

    /** The exporter withdrew the template of {@code key} (IPFIX withdrawal). */
    default void withdrawn(TemplateKey key, MessageHeader header) {}

    /**
     * Options data changed a sampling or time value: {@code kind} is one of {@link SamplingTable#SAMPLER_RATE},
     * {@link SamplingTable#DOMAIN_RATE} (value: rate, with {@code source}) or {@link SamplingTable#SYSTEM_INIT}
     * (value: unix ms).
     */
    default void samplingChanged(int kind, TemplateKey key, long value, int source) {}
}

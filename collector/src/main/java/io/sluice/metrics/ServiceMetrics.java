package io.sluice.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.decode.DecodeError;
import io.sluice.decode.Protocol;
import io.sluice.output.DropReason;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * sluice's Prometheus metrics. All are callback metrics: at scrape time they read the per-worker plain
 * counters ({@link WorkerCounters}) and the per-listener sources, so the hot path writes nothing shared.
 * Workers and listeners are added as the service starts them.
 */
public final class ServiceMetrics {
    private static final String L = "listener";
    private static final String W = "worker";

    private final PrometheusRegistry registry;
    private final List<WorkerCounters> workers = new CopyOnWriteArrayList<>();
    private final List<ListenerSources> listeners = new CopyOnWriteArrayList<>();

    private record ListenerSources(String listener, SteeringStatus steering) {}

    /** The NetFlow/IPFIX template store is one for the process (templates are per exporter, not per port). */
    private volatile TemplateStoreStats templates = TemplateStoreStats.NONE;

    /** Registers sluice's metrics and the JVM's in the given registry. */
    public ServiceMetrics(PrometheusRegistry registry, boolean jvmMetrics) {
        this.registry = registry;
        if (jvmMetrics) JvmMetrics.builder().register(registry);
        BuildInfo.current().register(registry);
        registerWorkerMetrics();
        registerListenerMetrics();
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public void addWorker(WorkerCounters counters) {
        workers.add(counters);
    }

    public void addListener(String listener, SteeringStatus steering) {
        listeners.add(new ListenerSources(listener, steering));
    }

    public void setTemplateStats(TemplateStoreStats templates) {
        this.templates = templates;
    }

    private void registerWorkerMetrics() {
        counter("sluice_packets_received_total", "UDP datagrams received", cb -> {
            for (WorkerCounters w : workers) cb.call(w.receive().packets(), w.listener(), id(w));
        });
        counter("sluice_bytes_received_total", "UDP payload bytes received", cb -> {
            for (WorkerCounters w : workers) cb.call(w.receive().bytes(), w.listener(), id(w));
        });
        counter("sluice_receive_errors_total", "receive calls that failed (not kernel drops)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.receive().receiveErrors(), w.listener(), id(w));
        });
        counter("sluice_receive_truncated_total", "datagrams larger than a receive slot, dropped (MSG_TRUNC)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.receive().truncated(), w.listener(), id(w));
        });
        counter("sluice_handler_errors_total", "datagrams whose processing failed with an exception (a bug: the log says which)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.receive().handlerErrors(), w.listener(), id(w));
        });
        counter("sluice_socket_drops_total", "datagrams the kernel dropped on this worker's socket (receive buffer full)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.socketDrops().getAsLong(), w.listener(), id(w));
        });
        CounterWithCallback.builder()
                .name("sluice_decode_errors_total")
                .help("datagrams or parts of datagrams that could not be decoded, by reason")
                .labelNames(L, W, "reason")
                .callback(cb -> {
                    for (WorkerCounters w : workers) {
                        for (DecodeError e : DecodeError.values()) cb.call(w.decode().errors(e), w.listener(), id(w), e.label);
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_flows_decoded_total")
                .help("flows decoded, by protocol")
                .labelNames(L, W, "protocol")
                .callback(cb -> {
                    for (WorkerCounters w : workers) {
                        for (Protocol p : Protocol.values()) cb.call(w.decode().flows(p), w.listener(), id(w), p.label);
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_datagrams_decoded_total")
                .help("datagrams decoded, by protocol")
                .labelNames(L, W, "protocol")
                .callback(cb -> {
                    for (WorkerCounters w : workers) {
                        for (Protocol p : Protocol.values()) cb.call(w.decode().datagrams(p), w.listener(), id(w), p.label);
                    }
                })
                .register(registry);
        counter("sluice_kafka_records_sent_total", "flow records the output delivered (Kafka acknowledged; file/none: written/taken)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.output().flowsSent(), w.listener(), id(w));
        });
        counter("sluice_kafka_counter_records_sent_total", "sFlow counter records delivered to the counters topic", cb -> {
            for (WorkerCounters w : workers) cb.call(w.output().countersSent(), w.listener(), id(w));
        });
        counter("sluice_counter_records_dropped_total", "sFlow counter records not delivered (Kafka error, no counters file)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.output().countersDropped(), w.listener(), id(w));
        });
        counter("sluice_kafka_errors_total", "records the output reported as failed (delivery timeout, broker error, write error)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.output().errors(), w.listener(), id(w));
        });
        CounterWithCallback.builder()
                .name("sluice_flows_dropped_total")
                .help("decoded flows that did not reach the output, by reason")
                .labelNames(L, W, "reason")
                .callback(cb -> {
                    for (WorkerCounters w : workers) {
                        for (DropReason r : DropReason.values()) cb.call(w.output().dropped(r), w.listener(), id(w), r.label);
                    }
                })
                .register(registry);
    }

    private void registerListenerMetrics() {
        GaugeWithCallback.builder()
                .name("sluice_templates")
                .help("NetFlow v9 / IPFIX templates known")
                .callback(cb -> cb.call(templates.templates()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_pending_template_sets")
                .help("data sets waiting for their template")
                .callback(cb -> cb.call(templates.pendingTemplateSets()))
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_pending_template_expired_total")
                .help("pending data sets given up on (their template did not arrive in time or the buffer was full)")
                .callback(cb -> cb.call(templates.pendingTemplateExpired()))
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_templates_refused_total")
                .help("templates not stored because the store is at its limit (templates.max-templates): their data cannot be decoded")
                .callback(cb -> cb.call(templates.templatesRefused()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_ebpf_loaded")
                .help("1 when the eBPF sk_reuseport program steers this listener's packets, 0 when the kernel hash does")
                .labelNames(L)
                .callback(cb -> {
                    for (ListenerSources l : listeners) cb.call(l.steering().ebpfLoaded() ? 1 : 0, l.listener());
                })
                .register(registry);
    }

    private void counter(String name, String help, java.util.function.Consumer<CounterWithCallback.Callback> callback) {
        CounterWithCallback.builder().name(name).help(help).labelNames(L, W).callback(callback).register(registry);
    }

    private static String id(WorkerCounters w) {
        return Integer.toString(w.worker());
    }
}

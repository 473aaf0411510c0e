package io.sluice.metrics;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.decode.DecodeError;
import io.sluice.decode.Protocol;
import io.sluice.guard.ListenerGuard;
import io.sluice.steering.GuardMaps;
import io.sluice.decode.SkippedRecords;
import io.sluice.output.DropReason;
import io.sluice.output.OutputStats;
import io.sluice.output.spool.KafkaSpool;
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
    private final List<ListenerGuard> guards = new CopyOnWriteArrayList<>();

    private record ListenerSources(String listener, SteeringStatus steering) {}

    /** The Kafka output's disk spool, or null (docs/spool.md). */
    private volatile KafkaSpool spool;
    /** The labels of the spool's replay thread where it counts as a worker (sent, dropped, errors). */
    private static final String SPOOL_LISTENER = "spool";
    private static final String SPOOL_WORKER = "replay";

    /** The NetFlow/IPFIX template store is one for the process (templates are per exporter, not per port). */
    private volatile TemplateStoreStats templates = TemplateStoreStats.NONE;

    /** Registers sluice's metrics and the JVM's in the given registry. */
    public ServiceMetrics(PrometheusRegistry registry, boolean jvmMetrics) {
        this.registry = registry;
        if (jvmMetrics) {
            JvmMetrics.builder().register(registry);
            HeapAllocationMetrics.register(registry);
        }
        BuildInfo.current().register(registry);
        registerWorkerMetrics();
        registerListenerMetrics();
        registerGuardMetrics();
        SpoolMetrics.register(registry, () -> spool);
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

    /** A listener's guard: its kernel drops and top offenders (docs/security.md). */
    public void addGuard(ListenerGuard guard) {
        guards.add(guard);
    }

    /** The output's disk spool: its own metrics, and its replayed flows in the sent / dropped / errors counters. */
    public void setSpool(KafkaSpool spool) {
        this.spool = spool;
    }

    private OutputStats replayStats() {
        KafkaSpool s = spool;
        return s == null ? null : s.replayStats();
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
        counter("sluice_datagrams_discarded_at_stop_total", "datagrams still queued when a stopping worker's drain bound (shutdown-timeout / 3) passed: read and discarded, not decoded", cb -> {
            for (WorkerCounters w : workers) cb.call(w.receive().discardedAtStop(), w.listener(), id(w));
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
        counter("sluice_flow_times_from_export_time_total", "IPFIX flows with uptime-relative times (IE 22/21) but no systemInitTimeMilliseconds: end = export time, start = end - duration", cb -> {
            for (WorkerCounters w : workers) cb.call(w.decode().timesFromExportTime(), w.listener(), id(w));
        });
        CounterWithCallback.builder()
                .name("sluice_records_skipped_total")
                .help("well-formed samples, records or sets sluice does not decode (not errors), by kind and sFlow enterprise:format")
                .labelNames(L, W, "kind", "enterprise", "format")
                .callback(cb -> {
                    for (WorkerCounters w : workers) {
                        SkippedRecords s = w.decode().skipped();
                        for (int i = 0; i < s.used(); i++) {
                            cb.call(s.count(i), w.listener(), id(w), s.kind(i).label, Integer.toString(s.enterprise(i)),
                                    Integer.toString(s.format(i)));
                        }
                        if (s.overflow() > 0) cb.call(s.overflow(), w.listener(), id(w), "other", "other", "other");
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
            OutputStats r = replayStats();
            if (r != null) cb.call(r.flowsSent(), SPOOL_LISTENER, SPOOL_WORKER);
        });
        counter("sluice_kafka_counter_records_sent_total", "sFlow counter records delivered to the counters topic", cb -> {
            for (WorkerCounters w : workers) cb.call(w.output().countersSent(), w.listener(), id(w));
        });
        counter("sluice_counter_records_dropped_total", "sFlow counter records not delivered (Kafka error, no counters file)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.output().countersDropped(), w.listener(), id(w));
        });
        counter("sluice_kafka_drop_notifications_sent_total", "sFlow drop notifications delivered to the drops topic (file/none: written/taken)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.output().dropNotificationsSent(), w.listener(), id(w));
        });
        counter("sluice_drop_notifications_dropped_total", "sFlow drop notifications not delivered (Kafka error, no drops file)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.output().dropNotificationsDropped(), w.listener(), id(w));
        });
        counter("sluice_kafka_errors_total", "records the output reported as failed (delivery timeout, broker error, write error)", cb -> {
            for (WorkerCounters w : workers) cb.call(w.output().errors(), w.listener(), id(w));
            OutputStats r = replayStats();
            if (r != null) cb.call(r.errors(), SPOOL_LISTENER, SPOOL_WORKER);
        });
        CounterWithCallback.builder()
                .name("sluice_flows_dropped_total")
                .help("decoded flows that did not reach the output, by reason")
                .labelNames(L, W, "reason")
                .callback(cb -> {
                    for (WorkerCounters w : workers) {
                        for (DropReason r : DropReason.values()) cb.call(w.output().dropped(r), w.listener(), id(w), r.label);
                    }
                    OutputStats replay = replayStats();
                    if (replay != null) {
                        for (DropReason r : DropReason.values()) cb.call(replay.dropped(r), SPOOL_LISTENER, SPOOL_WORKER, r.label);
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
        GaugeWithCallback.builder()
                .name("sluice_template_bytes")
                .help("estimated heap held by NetFlow v9 / IPFIX templates (bounded by templates.max-bytes)")
                .callback(cb -> cb.call(templates.templateBytes()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_pending_template_bytes")
                .help("bytes of data sets waiting for their template (bounded by templates.pending-max-bytes)")
                .callback(cb -> cb.call(templates.pendingTemplateBytes()))
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_templates_evicted_total")
                .help("templates of idle exporters evicted to make room for another exporter's (store full)")
                .callback(cb -> cb.call(templates.templatesEvicted()))
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_templates_idle_expired_total")
                .help("templates forgotten after templates.idle-timeout without being re-sent or used")
                .callback(cb -> cb.call(templates.templatesIdleExpired()))
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

    private void registerGuardMetrics() {
        CounterWithCallback.builder()
                .name("sluice_kernel_dropped_total")
                .help("datagrams the listener's guard dropped in the kernel before any socket buffer (allow-list, rate limit; "
                        + "unreadable_header: no IPv4/IPv6 source to check, refused)")
                .labelNames(L, "reason")
                .callback(cb -> {
                    for (ListenerGuard g : guards) {
                        if (g.inUserSpace()) continue;
                        for (GuardMaps.DropReason r : GuardMaps.DropReason.values()) cb.call(g.dropped(r), g.listener(), r.label);
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("sluice_userspace_guard_dropped_total")
                .help("datagrams refused by the allow-list in the workers (guard-fallback: user-space, the kernel could not run it)")
                .labelNames(L, "reason")
                .callback(cb -> {
                    for (ListenerGuard g : guards) if (g.inUserSpace()) cb.call(g.droppedInUserSpace(), g.listener(), "not_allowed");
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("sluice_guard_top_offender_dropped")
                .help("datagrams dropped for the sources dropped most, at most " + ListenerGuard.TOP + " per listener and reason "
                        + "(from the kernel's LRU maps: a source evicted by newer ones leaves the list)")
                .labelNames(L, "source", "reason")
                .callback(cb -> {
                    for (ListenerGuard g : guards) {
                        for (ListenerGuard.Offender o : g.topOffenders()) cb.call(o.dropped(), g.listener(), o.source().getHostAddress(), o.reason());
                    }
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

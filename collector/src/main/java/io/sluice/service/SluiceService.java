package io.sluice.service;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.capture.CapturedDatagram;
import io.sluice.handover.Handover;
import io.sluice.ledger.ExporterMetrics;
import io.sluice.ledger.ExporterTable;
import io.sluice.handover.ProcessInfo;
import io.sluice.metrics.MetricsServer;
import io.sluice.metrics.ServiceMetrics;
import io.sluice.metrics.WorkerCounters;
import io.sluice.output.BatchingFlowSink;
import io.sluice.output.FlowBatch;
import io.sluice.output.FlowOutput;
import io.sluice.output.PartitionKey;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running inlet: per listener, sockets → workers → decode → batch → output, plus the metrics
 * endpoint. {@link #start} opens everything in an order where a bad setting fails before any
 * datagram is read (output first: an unreachable broker is a startup error), then starts the workers.
 * {@link #close} is the graceful stop: workers stop reading and drain their sockets, decode what was
 * queued and hand over their last batch, then the output is flushed, then the endpoint closes.
 */
public final class SluiceService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceService.class);

    private final SluiceConfig config;
    private final FlowOutput output;
    private final DecoderFactory decoders;
    private final ServiceMetrics metrics;
    /** Every exporter heard from, shared by all workers of all listeners (io.sluice.ledger). */
    private final ExporterTable exporters;
    private final List<ReceivePath> listeners = new ArrayList<>();
    private final ScheduledExecutorService housekeeping;
    /** File name of the template snapshot in the state dir. */
    static final String TEMPLATE_SNAPSHOT = "templates.snapshot";
    /** Guards {@link #metricsServer}: the predecessor watch may bind it after start. */
    private final Object metricsLock = new Object();
    private MetricsServer metricsServer;
    /** Why the metrics address could not be bound at start (in use: a predecessor holds it), else null. */
    private IOException metricsDeferred;
    private Thread predecessorWatch;
    /**
     * While a predecessor runs, this process does not write the shared snapshot: the predecessor's last
     * one (written as it stops) must survive until it is reloaded here, whatever this process learnt.
     */
    private volatile boolean predecessorRunning;
    /** Per listener: its protocol and first worker, where restored template messages are decoded. */
    private final List<TemplateInlet> templateInlets = new ArrayList<>();
    private volatile long lastSavedTemplates = -1;
    private boolean templateSaveFailed;
    private volatile boolean closed;
    /** How long past its shutdown timeout a predecessor may take to exit (JVM exit, log flush). */
    private static final Duration PREDECESSOR_EXIT_MARGIN = Duration.ofSeconds(15);
    /** How long the freed metrics address is retried (a socket of the predecessor's may linger). */
    private static final Duration METRICS_RETRY = Duration.ofSeconds(10);

    /** Where a listener's restored template messages go: its first worker, if its protocol reads them. */
    private record TemplateInlet(SluiceConfig.Protocol protocol, WorkerPipeline worker) {
        boolean accepts(int version) {
            return switch (protocol) {
                case AUTO -> true;
                case NETFLOW -> version == 9;
                case IPFIX -> version == 10;
                default -> false;
            };
        }
    }

    private SluiceService(SluiceConfig config, FlowOutput output, DecoderFactory decoders, ServiceMetrics metrics) {
        this.config = config;
        this.output = output;
        this.decoders = decoders;
        this.metrics = metrics;
        this.exporters = new ExporterTable(config.exporters().max(), config.exporters().reorderWindow());
        ExporterMetrics.register(metrics.registry(), exporters);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-housekeeping");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the output, binds every listener, serves the metrics and starts the workers.
     *
     * @throws ConfigException a setting that cannot work (broker unreachable, address in use...), naming the key
     */
    public static SluiceService start(SluiceConfig config, ReceivePath.Factory receive, DecoderFactory decoders)
            throws ConfigException {
        FlowOutput output = OutputFactory.open(config);
        SluiceService service = new SluiceService(config, output, decoders, new ServiceMetrics(new PrometheusRegistry(), true));
        try {
            service.metrics.setTemplateStats(decoders.templateStats());
            service.openListeners(receive);
            service.startMetricsServer();
        } catch (ConfigException | RuntimeException e) {
            service.close();
            throw e;
        }
        service.restoreTemplates();
        service.listeners.forEach(ReceivePath::start);
        List<Handover.Predecessor> stopped = service.takeOver();
        if (service.metricsDeferred != null && stopped.isEmpty()) {
            IOException e = service.metricsDeferred;
            service.close();
            throw new ConfigException("metrics.listen", "cannot serve metrics on " + config.metricsListen() + ": " + e.getMessage());
        }
        if (!stopped.isEmpty()) service.watchPredecessors(stopped);
        service.housekeeping.scheduleWithFixedDelay(service::housekeep, 1, 1, TimeUnit.SECONDS);
        for (ReceivePath l : service.listeners) {
            log.info("listening on {} with {} workers (eBPF steering: {})", l.localAddress(), l.workers(), l.ebpfLoaded() ? "on" : "off");
        }
        if (service.metricsDeferred == null) {
            log.info("metrics on http://{}:{}/metrics, health on /healthz; output {}",
                    config.metricsListen().getAddress().getHostAddress(), service.metricsPort(), config.output().type().configName);
        } else {
            log.info("metrics on {}:{} once the previous sluice has exited (it holds the address until then); output {}",
                    config.metricsListen().getAddress().getHostAddress(), config.metricsListen().getPort(),
                    config.output().type().configName);
        }
        return service;
    }

    /**
     * Every listener takes over from the sluice that served it before, then the previous owners are told
     * to stop: only now, since a previous owner stops all its listeners at once (docs/upgrade.md).
     */
    private List<Handover.Predecessor> takeOver() {
        if (!config.handover().enabled()) return List.of();
        List<Handover> handovers = new ArrayList<>();
        for (ReceivePath l : listeners) {
            Handover h = l.takeOver(config.handover());
            if (h != null) handovers.add(h);
        }
        List<Handover.Predecessor> stopped = new ArrayList<>();
        for (Handover.Predecessor p : Handover.stopPredecessors(handovers)) {
            if (p.result() == ProcessInfo.StopResult.SIGNALLED || p.result() == ProcessInfo.StopResult.GONE) stopped.add(p);
        }
        return stopped;
    }

    /**
     * What waits for the predecessors to exit (they drain, flush and exit within their shutdown
     * timeout): then their last template snapshot is loaded, and the metrics address they held is bound.
     */
    private void watchPredecessors(List<Handover.Predecessor> stopped) {
        Duration bound = config.shutdownTimeout().plus(PREDECESSOR_EXIT_MARGIN);
        predecessorRunning = true;
        predecessorWatch = Thread.ofPlatform().daemon().name("sluice-predecessor-watch").start(() -> {
            try {
                PredecessorWatch.awaitExit(stopped, bound);
            } catch (PredecessorWatch.StillRunning e) {
                log.warn("{}: loading its last templates{} anyway", e.getMessage(),
                        metricsDeferred != null ? " and trying the metrics address" : "");
            } catch (InterruptedException e) {
                return; // closing
            }
            reloadTemplates();
            predecessorRunning = false;
            if (metricsDeferred != null) bindDeferredMetrics(METRICS_RETRY);
        });
    }

    /** The template snapshot of the state dir, or null when none is configured. */
    private Path templateSnapshot() {
        String dir = config.handover().stateDir();
        return dir.isEmpty() ? null : Path.of(dir, TEMPLATE_SNAPSHOT);
    }

    /**
     * Before any datagram is read: the templates the previous process knew (its snapshot is at most a
     * second old), so data from the exporters decodes at once instead of waiting for their next refresh.
     */
    private void restoreTemplates() {
        Path file = templateSnapshot();
        if (file == null) return;
        try {
            int restored = decoders.restoreTemplates(file, config.handover().templateSnapshotMaxAge());
            if (restored > 0) log.info("restored {} templates and sampling values from {}", restored, file);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot restore the template snapshot {}: {}", file, e.toString());
        }
        lastSavedTemplates = decoders.templateChanges();
    }

    /**
     * Once the predecessor has exited: its snapshot, written as it stopped, holds the templates it learnt
     * up to its exit (from datagrams it drained). What this process lacks of them is decoded by its
     * workers as the exporters' template messages, which also decodes the data sets parked for them.
     */
    private void reloadTemplates() {
        Path file = templateSnapshot();
        if (file == null) return;
        try {
            List<CapturedDatagram> messages = decoders.snapshotTemplates(file, config.handover().templateSnapshotMaxAge());
            int given = 0;
            for (CapturedDatagram m : messages) {
                int version = m.payload().length >= 2 ? ((m.payload()[0] & 0xff) << 8) | (m.payload()[1] & 0xff) : 0;
                for (TemplateInlet inlet : templateInlets) {
                    if (inlet.accepts(version)) {
                        inlet.worker().inject(m);
                        given++;
                        break;
                    }
                }
            }
            log.info("the previous sluice has exited: {} template messages from its last snapshot {} given to the workers "
                    + "(the templates this process lacked)", given, file);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot reload the template snapshot {} after the previous sluice exited: {}", file, e.toString());
        }
    }

    /** Binds the metrics address a predecessor held, retrying with backoff while it is still in use. */
    private void bindDeferredMetrics(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        long backoffMs = 50;
        IOException last = metricsDeferred;
        while (true) {
            try {
                MetricsServer server = MetricsServer.start(config.metricsListen(), metrics.registry(), this::health, operatorEndpoints());
                synchronized (metricsLock) {
                    if (closed) {
                        server.close();
                        return;
                    }
                    metricsServer = server;
                }
                log.info("metrics on http://{}:{}/metrics, health on /healthz (bound after the previous sluice exited)",
                        config.metricsListen().getAddress().getHostAddress(), server.port());
                return;
            } catch (IOException e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) break;
            try {
                Thread.sleep(backoffMs);
            } catch (InterruptedException e) {
                return;
            }
            backoffMs = Math.min(1000, backoffMs * 2);
        }
        log.error("cannot serve metrics on {}: {} (still in use {} s after the previous sluice exited); serving flows "
                + "without /metrics and /healthz", config.metricsListen(), last.getMessage(), bound.toSeconds());
    }

    /** Writes the template snapshot when the templates changed since the last one (housekeeping, stop). */
    private void saveTemplates() {
        Path file = templateSnapshot();
        if (file == null || predecessorRunning) return;
        long changes = decoders.templateChanges();
        if (changes == lastSavedTemplates) return;
        try {
            decoders.saveTemplates(file);
            lastSavedTemplates = changes;
        } catch (IOException | RuntimeException e) {
            if (!templateSaveFailed) log.warn("cannot write the template snapshot {}: {} (logged once)", file, e.toString());
            templateSaveFailed = true;
        }
    }

    private void openListeners(ReceivePath.Factory receive) throws ConfigException {
        PartitionKey key = config.kafka().partitionKey();
        FlowBatch.Encoding encoding = OutputFactory.batchEncoding(output);
        long maxAgeNanos = config.batching().maxAge().toNanos();
        List<SluiceConfig.Listener> configured = config.listeners();
        for (int li = 0; li < configured.size(); li++) {
            SluiceConfig.Listener lc = configured.get(li);
            WorkerPipeline[] pipelines = new WorkerPipeline[lc.workers()];
            for (int w = 0; w < pipelines.length; w++) {
                BatchingFlowSink sink = new BatchingFlowSink(new FlowBatch(config.batching().flows(), key, encoding),
                        output.forWorker(lc.name(), w), maxAgeNanos);
                pipelines[w] = new WorkerPipeline(decoders.newDecoder(lc.protocol()), sink, lc.name() + "/" + w, exporters);
            }
            ReceivePath path;
            try {
                path = receive.open(lc, i -> pipelines[i]);
            } catch (IOException e) {
                throw new ConfigException("listeners[" + li + "].address", "cannot listen on " + lc.name() + ": " + e.getMessage());
            }
            listeners.add(path);
            for (int w = 0; w < pipelines.length; w++) {
                int worker = w;
                metrics.addWorker(new WorkerCounters(lc.name(), w, path.receiveStats(w), () -> Math.max(0, path.socketDrops(worker)),
                        pipelines[w].decodeStats(), pipelines[w].sink().stats()));
            }
            metrics.addListener(lc.name(), path::ebpfLoaded);
            templateInlets.add(new TemplateInlet(lc.protocol(), pipelines[0]));
        }
    }

    /**
     * Binds the metrics address. In use, while a handover may follow: the previous sluice may hold it
     * (one metrics address for both instances); decided after the takeover ({@link #start}).
     */
    private void startMetricsServer() throws ConfigException {
        try {
            metricsServer = MetricsServer.start(config.metricsListen(), metrics.registry(), this::health, operatorEndpoints());
        } catch (BindException e) {
            if (!config.handover().enabled()) {
                throw new ConfigException("metrics.listen", "cannot serve metrics on " + config.metricsListen() + ": " + e.getMessage());
            }
            metricsDeferred = e;
        } catch (IOException e) {
            throw new ConfigException("metrics.listen", "cannot serve metrics on " + config.metricsListen() + ": " + e.getMessage());
        }
    }

    private void housekeep() {
        try {
            decoders.expire(System.currentTimeMillis() * 1_000_000L);
            saveTemplates();
        } catch (RuntimeException e) {
            log.warn("housekeeping failed: {}", e.toString());
        }
    }

    /** 200 on /healthz: every listener bound and running, and the output can deliver. */
    public MetricsServer.Health health() {
        for (ReceivePath l : listeners) {
            if (!l.running()) return new MetricsServer.Health(false, "listener " + l.localAddress() + " is not running");
        }
        if (listeners.isEmpty()) return new MetricsServer.Health(false, "no listener");
        if (!output.ready()) return new MetricsServer.Health(false, "output cannot deliver (Kafka unreachable or failing)");
        return new MetricsServer.Health(true, "");
    }

    /** The bound address of listener {@code index} (its real port when 0 was configured). */
    public InetSocketAddress listenerAddress(int index) {
        return listeners.get(index).localAddress();
    }

    /** The bound metrics port, or -1 while it waits for the previous sluice to release the address. */
    public int metricsPort() {
        synchronized (metricsLock) {
            return metricsServer == null ? -1 : metricsServer.port();
        }
    }

    /** Entries each operator endpoint lists at most (the answer stays small whatever the exporters send). */
    static final int OPERATOR_LIMIT = 2000;

    /** /exporters and /templates on the metrics address (docs/ledger.md): for operators, not for scraping. */
    private java.util.Map<String, java.util.function.Supplier<String>> operatorEndpoints() {
        return java.util.Map.of(
                "/exporters", () -> io.sluice.ledger.OperatorJson.exporters(exporters, OPERATOR_LIMIT),
                "/templates", () -> io.sluice.ledger.OperatorJson.templates(decoders::forEachTemplate, OPERATOR_LIMIT));
    }

    /** The exporters heard from (per-exporter counters and sequence accounting). */
    public ExporterTable exporters() {
        return exporters;
    }

    public ServiceMetrics metrics() {
        return metrics;
    }

    public SluiceConfig config() {
        return config;
    }

    /** Graceful stop; see the class comment. Idempotent. */
    @Override
    public synchronized void close() {
        synchronized (metricsLock) {
            if (closed) return;
            closed = true;
        }
        long t0 = System.nanoTime();
        housekeeping.shutdownNow();
        if (predecessorWatch != null) predecessorWatch.interrupt();
        // all listeners at once: each stops reading, drains its sockets, decodes and hands over its last batches
        List<Thread> closing = new ArrayList<>();
        for (ReceivePath l : listeners) {
            closing.add(Thread.ofVirtual().name("sluice-stop-" + l.localAddress()).start(() -> {
                try {
                    l.close();
                } catch (RuntimeException e) {
                    log.warn("closing listener {} failed: {}", l.localAddress(), e.toString());
                }
            }));
        }
        for (Thread t : closing) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (lastSavedTemplates != -1) saveTemplates(); // the last templates, for a plain restart
        Duration timeout = config.shutdownTimeout();
        output.close(timeout); // flushes the producer; what is still undelivered at the timeout is counted as dropped
        synchronized (metricsLock) {
            if (metricsServer != null) metricsServer.close();
        }
        log.info("stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
}

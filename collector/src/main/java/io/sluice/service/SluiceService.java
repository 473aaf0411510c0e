package io.sluice.service;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.handover.Handover;
import io.sluice.metrics.MetricsServer;
import io.sluice.metrics.ServiceMetrics;
import io.sluice.metrics.WorkerCounters;
import io.sluice.output.BatchingFlowSink;
import io.sluice.output.FlowBatch;
import io.sluice.output.FlowOutput;
import io.sluice.output.PartitionKey;
import java.io.IOException;
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
    private final List<ReceivePath> listeners = new ArrayList<>();
    private final ScheduledExecutorService housekeeping;
    /** File name of the template snapshot in the state dir. */
    static final String TEMPLATE_SNAPSHOT = "templates.snapshot";
    private MetricsServer metricsServer;
    private volatile long lastSavedTemplates = -1;
    private boolean templateSaveFailed;
    private boolean closed;

    private SluiceService(SluiceConfig config, FlowOutput output, DecoderFactory decoders, ServiceMetrics metrics) {
        this.config = config;
        this.output = output;
        this.decoders = decoders;
        this.metrics = metrics;
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
        service.takeOver();
        service.housekeeping.scheduleWithFixedDelay(service::housekeep, 1, 1, TimeUnit.SECONDS);
        for (ReceivePath l : service.listeners) {
            log.info("listening on {} with {} workers (eBPF steering: {})", l.localAddress(), l.workers(), l.ebpfLoaded() ? "on" : "off");
        }
        log.info("metrics on http://{}:{}/metrics, health on /healthz; output {}",
                config.metricsListen().getAddress().getHostAddress(), service.metricsPort(), config.output().type().configName);
        return service;
    }

    /**
     * Every listener takes over from the sluice that served it before, then the previous owners are told
     * to stop: only now, since a previous owner stops all its listeners at once (docs/upgrade.md).
     */
    private void takeOver() {
        if (!config.handover().enabled()) return;
        List<Handover> handovers = new ArrayList<>();
        for (ReceivePath l : listeners) {
            Handover h = l.takeOver(config.handover());
            if (h != null) handovers.add(h);
        }
        Handover.stopPredecessors(handovers);
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

    /** Writes the template snapshot when the templates changed since the last one (housekeeping, stop). */
    private void saveTemplates() {
        Path file = templateSnapshot();
        if (file == null) return;
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
                pipelines[w] = new WorkerPipeline(decoders.newDecoder(lc.protocol()), sink, lc.name() + "/" + w);
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
        }
    }

    private void startMetricsServer() throws ConfigException {
        try {
            metricsServer = MetricsServer.start(config.metricsListen(), metrics.registry(), this::health);
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

    public int metricsPort() {
        return metricsServer.port();
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
        if (closed) return;
        closed = true;
        long t0 = System.nanoTime();
        housekeeping.shutdownNow();
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
        if (metricsServer != null) metricsServer.close();
        log.info("stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }
}

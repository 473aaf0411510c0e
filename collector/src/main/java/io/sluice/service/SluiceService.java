package io.sluice.service;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.guard.ListenerGuard;
import io.sluice.ledger.ExporterMetrics;
import io.sluice.ledger.ExporterTable;
import io.sluice.metrics.LifetimeTotals;
import io.sluice.metrics.MetricsServer;
import io.sluice.metrics.ServiceMetrics;
import io.sluice.metrics.WorkerCounters;
import io.sluice.output.FlowBatch;
import io.sluice.output.FlowOutput;
import io.sluice.output.OutputStats;
import io.sluice.output.PartitionKey;
import io.sluice.pipeline.BatchingFlowSink;
import io.sluice.pipeline.WorkerPipeline;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.GuardUnavailableException;
import io.sluice.warmup.WarmUp;
import java.io.IOException;
import java.net.InetSocketAddress;
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
 * What passes from the previous process to this one (and from this one to the next) is {@link Succession}'s.
 */
public final class SluiceService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SluiceService.class);

    private final SluiceConfig config;
    private final FlowOutput output;
    private final StandardDecoders decoders;
    private final ServiceMetrics metrics;
    private final Succession succession;
    /** Every exporter heard from, shared by all workers of all listeners (io.sluice.ledger). */
    private final ExporterTable exporters;
    private final List<ReuseportReceivePath> listeners = new ArrayList<>();
    private final ScheduledExecutorService housekeeping;
    private final List<OutputStats> outputStats = new ArrayList<>();
    private final DropWatch drops = new DropWatch(outputStats);
    private boolean closed;
    /**
     * Why the service works but not fully (the template share's topic unreachable...): each supplier
     * gives a reason or null. /healthz stays 200 and says "degraded" with the reasons.
     */
    private final List<java.util.function.Supplier<String>> degradedReasons = new java.util.concurrent.CopyOnWriteArrayList<>();

    private SluiceService(SluiceConfig config, FlowOutput output, StandardDecoders decoders, ServiceMetrics metrics) {
        this.config = config;
        this.output = output;
        this.decoders = decoders;
        this.metrics = metrics;
        this.succession = new Succession(config, decoders, () -> MetricsServer.start(config.metricsListen(), metrics.registry(), this::health, operatorEndpoints()));
        this.exporters = new ExporterTable(config.exporters().max(), config.exporters().reorderWindow());
        ExporterMetrics.register(metrics.registry(), exporters);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-housekeeping");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens the output, binds every listener, serves the metrics and starts the workers, taking over
     * from a previous sluice on the same addresses.
     *
     * @throws ConfigException a setting that cannot work (broker unreachable, address in use...), naming the key
     */
    public static SluiceService start(SluiceConfig config) throws ConfigException {
        return start(config, BpfObjectSource.bundled());
    }

    /**
     * {@link #start(SluiceConfig)} with the steering programs read from {@code steeringObject}: tests give
     * it an object the verifier refuses, to see what a kernel that cannot run the guard does.
     */
    public static SluiceService start(SluiceConfig config, BpfObjectSource steeringObject) throws ConfigException {
        FlowOutput output = OutputFactory.open(config);
        StandardDecoders decoders = new StandardDecoders(config);
        SluiceService service = new SluiceService(config, output, decoders, new ServiceMetrics(new PrometheusRegistry(), true));
        try {
            service.metrics.setTemplateStats(decoders.templateStats());
            if (output.spool() != null) { // replayed flows are sent (or dropped) by the spool's replay thread
                service.metrics.setSpool(output.spool());
                service.outputStats.add(output.spool().replayStats());
            }
            service.openListeners(steeringObject);
            service.succession.bindMetrics();
            service.succession.restoreTemplates();
            service.succession.startSharing(service.metrics.registry(), service.degradedReasons::add);
            service.listeners.forEach(ReuseportReceivePath::start);
            service.warmUpBeforeTakingOver();
            service.rampFromPredecessors();
            service.steer();
            service.succession.takeOver(service.listeners);
        } catch (ConfigException | RuntimeException e) {
            service.close();
            throw e;
        }
        service.housekeeping.scheduleWithFixedDelay(service::housekeep, 1, 1, TimeUnit.SECONDS);
        for (ReuseportReceivePath l : service.listeners) {
            log.info("listening on {} with {} workers (eBPF steering: {})", l.localAddress(), l.workers(), l.ebpfLoaded() ? "on" : "off");
        }
        if (!service.succession.metricsDeferred()) {
            log.info("metrics on http://{}:{}/metrics, health on /healthz; output {}",
                    config.metricsListen().getAddress().getHostAddress(), service.metricsPort(), config.output().type().configName);
        } else {
            log.info("metrics on {}:{} once the previous sluice has exited (it holds the address until then); output {}",
                    config.metricsListen().getAddress().getHostAddress(), config.metricsListen().getPort(),
                    config.output().type().configName);
        }
        return service;
    }

    private void openListeners(BpfObjectSource steeringObject) throws ConfigException {
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
            ReuseportReceivePath path;
            try {
                path = ReuseportReceivePath.open(lc, i -> pipelines[i], steeringObject, receiveOptions(config));
            } catch (IOException e) {
                throw new ConfigException("listeners[" + li + "].address", "cannot listen on " + lc.name() + ": " + e.getMessage());
            } catch (GuardUnavailableException e) {
                throw new ConfigException("listeners[" + li + "].allow", e.getMessage());
            }
            listeners.add(path);
            if (path.guard() != null) metrics.addGuard(path.guard());
            for (int w = 0; w < pipelines.length; w++) {
                int worker = w;
                metrics.addWorker(new WorkerCounters(lc.name(), w, path.receiveStats(w), () -> Math.max(0, path.socketDrops(worker)),
                        pipelines[w].decodeStats(), pipelines[w].sink().stats()));
            }
            for (WorkerPipeline p : pipelines) outputStats.add(p.sink().stats());
            metrics.addListener(lc.name(), path::ebpfLoaded);
            succession.addTemplateInlet(lc.protocol(), pipelines[0]);
        }
    }

    /**
     * The workers' drain bound at a stop is a third of shutdown-timeout (10 s by default): a backlog in
     * 256 MiB socket buffers takes seconds to decode on a loaded machine (a handover's predecessor drained
     * 167k datagrams in 2 s, its bound then, and lost the rest), and the output's flush still has the
     * whole timeout after it. What is queued beyond it is read, counted and discarded (Worker).
     */
    static io.sluice.worker.ReceiveOptions receiveOptions(SluiceConfig config) {
        return io.sluice.worker.ReceiveOptions.DEFAULT.withDrainLimit(config.shutdownTimeout().dividedBy(3));
    }

    /**
     * When another process serves one of the ports (a handover), runs the warm-up ({@code handover.warm-up})
     * before this process takes any port: until {@link #steer} the predecessor's program keeps steering
     * every datagram to the predecessor, so the time spent here costs nothing, and the successor meets
     * the full rate with compiled decoders instead of an interpreter.
     */
    private void warmUpBeforeTakingOver() {
        Duration budget = config.handover().warmUp();
        if (!config.handover().enabled() || budget.isZero()) return;
        if (listeners.stream().noneMatch(ReuseportReceivePath::servedByAnotherProcess)) return;
        List<io.sluice.decode.ListenerProtocol> protocols = config.listeners().stream().map(SluiceConfig.Listener::protocol).toList();
        WarmUp.Result r = WarmUp.run(config, protocols, new StandardDecoders(config)::newDecoder, OutputFactory.batchEncoding(output), budget);
        log.info("warm-up before taking over: {} synthetic datagrams ({} flows, {} decode errors) through the decoders in {} ms",
                r.datagrams(), r.flows(), r.errors(), r.took().toMillis());
    }

    /** handover.ramp: each listener takes its predecessor's traffic slot by slot before the switch (TrafficRamp). */
    private void rampFromPredecessors() {
        if (config.handover().ramp().isZero()) return;
        for (ReuseportReceivePath l : listeners) l.rampFromPredecessor(config.handover());
    }

    /** Attaches every listener's program: from here the kernel steers the ports' datagrams to this process. */
    private void steer() throws ConfigException {
        for (int i = 0; i < listeners.size(); i++) {
            try {
                listeners.get(i).steer();
            } catch (GuardUnavailableException e) {
                throw new ConfigException("listeners[" + i + "].allow", e.getMessage());
            }
        }
    }

    /**
     * SIGHUP: puts every listener's {@code allow} and {@code rate-limit} of {@code next} in force in place
     * (maps updated while datagrams flow, no socket closed; docs/security.md). All or nothing: if one
     * listener cannot take its new guard without another program (a restart), nothing changes and the
     * exception says which. Every other setting is read at start only.
     */
    public synchronized void reload(SluiceConfig next) throws ConfigException {
        List<SluiceConfig.Listener> wanted = next.listeners();
        if (wanted.size() != listeners.size()) {
            throw new ConfigException("listeners", "a reload cannot add or remove listeners (" + listeners.size() + " running, "
                    + wanted.size() + " configured): restart sluice");
        }
        for (int i = 0; i < wanted.size(); i++) {
            SluiceConfig.Listener running = config.listeners().get(i);
            if (!running.address().equals(wanted.get(i).address())) {
                throw new ConfigException("listeners[" + i + "].address", "changed from " + running.name() + " to "
                        + wanted.get(i).name() + ": a reload changes only allow and rate-limit, restart sluice");
            }
            ListenerGuard guard = listeners.get(i).guard();
            String why = guard == null ? (wanted.get(i).guard().enforcing() ? "this listener has no guard" : null)
                    : guard.refuses(wanted.get(i).guard());
            if (why != null) throw new ConfigException("listeners[" + i + "].allow", why);
        }
        for (int i = 0; i < wanted.size(); i++) {
            ListenerGuard guard = listeners.get(i).guard();
            if (guard == null) continue;
            guard.reload(wanted.get(i).guard());
            log.info("listener {}: reloaded the guard: {}", guard.listener(), wanted.get(i).guard().describe());
        }
    }

    /** Every listener's guard (allow-list, rate limit, their figures), for the metrics and /exporters. */
    public List<ListenerGuard> guards() {
        List<ListenerGuard> out = new ArrayList<>();
        for (ReuseportReceivePath l : listeners) if (l.guard() != null) out.add(l.guard());
        return out;
    }

    private void housekeep() {
        try {
            drops.tick(System.nanoTime());
            decoders.expire(System.currentTimeMillis() * 1_000_000L);
            succession.saveTemplates();
        } catch (RuntimeException e) {
            log.warn("housekeeping failed: {}", e.toString());
        }
    }

    /** 200 on /healthz: every listener bound and running, nothing in the disk spool, the output can deliver, and no flow was dropped lately. */
    public MetricsServer.Health health() {
        for (ReuseportReceivePath l : listeners) {
            if (!l.running()) return new MetricsServer.Health(false, "listener " + l.localAddress() + " is not running");
        }
        if (listeners.isEmpty()) return new MetricsServer.Health(false, "no listener");
        String spooling = output.spool() == null ? null : output.spool().unhealthy();
        if (spooling != null) { // before "cannot deliver": Kafka being away is why flows are spooled
            String alsoDropping = drops.unhealthy();
            return new MetricsServer.Health(false, spooling + (alsoDropping == null ? "" : "; " + alsoDropping));
        }
        if (!output.ready()) return new MetricsServer.Health(false, "output cannot deliver (Kafka unreachable or failing)");
        String dropping = drops.unhealthy();
        if (dropping != null) return new MetricsServer.Health(false, dropping);
        StringBuilder degraded = new StringBuilder();
        for (var reason : degradedReasons) {
            String r = reason.get();
            if (r != null) degraded.append(degraded.isEmpty() ? "" : "; ").append(r);
        }
        return new MetricsServer.Health(true, degraded.toString());
    }

    /** The bound address of listener {@code index} (its real port when 0 was configured). */
    public InetSocketAddress listenerAddress(int index) {
        return listeners.get(index).localAddress();
    }

    /** The bound metrics port, or -1 while it waits for the previous sluice to release the address. */
    public int metricsPort() {
        return succession.metricsPort();
    }

    /** Entries each operator endpoint lists at most (the answer stays small whatever the exporters send). */
    static final int OPERATOR_LIMIT = 2000;

    /** /exporters and /templates on the metrics address (docs/ledger.md): for operators, not for scraping. */
    private java.util.Map<String, java.util.function.Supplier<String>> operatorEndpoints() {
        return java.util.Map.of(
                "/exporters", () -> io.sluice.ledger.OperatorJson.exporters(exporters, decoders.sampling(), OPERATOR_LIMIT),
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
        if (closed) return;
        closed = true;
        long t0 = System.nanoTime();
        housekeeping.shutdownNow();
        succession.stop();
        // all listeners at once: each stops reading, drains its sockets, decodes and hands over its last batches
        List<Thread> closing = new ArrayList<>();
        for (ReuseportReceivePath l : listeners) {
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
        succession.stopSharing();
        succession.saveTemplates(); // the last templates, for the next process
        Duration timeout = config.shutdownTimeout();
        output.close(timeout); // flushes the producer; what is still undelivered at the timeout is counted as dropped
        succession.closeMetrics();
        log.info("stopped in {} ms; in all: {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), LifetimeTotals.of(metrics.registry()));
    }
}

package io.sluice.service;

import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.decode.ListenerProtocol;
import io.sluice.decode.Protocol;
import io.sluice.decode.template.TemplateMessage;
import io.sluice.handover.Handover;
import io.sluice.handover.ProcessInfo;
import io.sluice.metrics.MetricsServer;
import io.sluice.pipeline.WorkerPipeline;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one sluice process hands the next (docs/upgrade.md), in the order it happens:
 * <ol>
 *   <li>the metrics address: bound at start, or, while a predecessor still holds it, deferred until it exits;
 *   <li>the templates: restored from the state dir's snapshot before any datagram is read;
 *   <li>the takeover: every listener takes its pins over, then the predecessors are told to stop;
 *   <li>the predecessor watch: once they exited, their last snapshot is reloaded (what this process lacks
 *       of it goes to the workers as template messages) and the metrics address they held is bound;
 *   <li>the snapshot is written while this process serves (when templates changed) and as it stops.
 * </ol>
 * The service calls these once each from its start and stop; only the predecessor watch runs on a
 * thread of its own.
 */
final class Succession {
    private static final Logger log = LoggerFactory.getLogger(Succession.class);
    /** File name of the template snapshot in the state dir. */
    static final String TEMPLATE_SNAPSHOT = "templates.snapshot";
    /** How long past its shutdown timeout a predecessor may take to exit (JVM exit, log flush). */
    private static final Duration PREDECESSOR_EXIT_MARGIN = Duration.ofSeconds(15);
    /** How long the freed metrics address is retried (a socket of the predecessor's may linger). */
    private static final Duration METRICS_RETRY = Duration.ofSeconds(10);
    /**
     * Predecessors are polled: what follows their exit does not need the exact moment, and a process
     * exits once. A process is named by pid and start time ({@link ProcessInfo#alive}), so a pid
     * recycled in between is not waited for.
     */
    private static final long PREDECESSOR_POLL_MILLIS = 50;

    /** The template share (templates.share), or null when off. */
    private io.sluice.share.TemplateShare share;

    /** Binds the metrics endpoint (the service's registry and health). */
    @FunctionalInterface
    interface MetricsBinder {
        MetricsServer bind() throws IOException;
    }

    /** Where a listener's restored template messages go: its first worker, if its protocol reads them. */
    private record TemplateInlet(ListenerProtocol listens, WorkerPipeline worker) {
        boolean accepts(Protocol message) {
            return switch (listens) {
                case AUTO -> true;
                case NETFLOW -> message == Protocol.NETFLOW9;
                case IPFIX -> message == Protocol.IPFIX;
                default -> false;
            };
        }
    }

    private final SluiceConfig config;
    private final StandardDecoders decoders;
    private final MetricsBinder metricsBinder;
    private final List<TemplateInlet> templateInlets = new ArrayList<>();
    /** Guards {@link #metricsServer} and {@link #closed}: the predecessor watch may bind it after start. */
    private final Object metricsLock = new Object();
    private MetricsServer metricsServer;
    /** Why the metrics address could not be bound at start (in use: a predecessor holds it), else null. */
    private volatile IOException metricsDeferred;
    private boolean closed;
    private Thread predecessorWatch;
    /**
     * While a predecessor runs, this process does not write the shared snapshot: the predecessor's last
     * one (written as it stops) must survive until it is reloaded here, whatever this process learnt.
     */
    private volatile boolean predecessorRunning;
    private volatile long lastSavedTemplates = -1;
    private boolean templateSaveFailed;

    Succession(SluiceConfig config, StandardDecoders decoders, MetricsBinder metricsBinder) {
        this.config = config;
        this.decoders = decoders;
        this.metricsBinder = metricsBinder;
    }

    /** The first worker of a listener, where the predecessor's last templates are decoded. */
    void addTemplateInlet(ListenerProtocol protocol, WorkerPipeline firstWorker) {
        templateInlets.add(new TemplateInlet(protocol, firstWorker));
    }

    /**
     * Binds the metrics address. In use while a handover may follow: the previous sluice may hold it
     * (one metrics address for both instances); decided by {@link #takeOver}.
     */
    void bindMetrics() throws ConfigException {
        try {
            MetricsServer server = metricsBinder.bind();
            synchronized (metricsLock) {
                metricsServer = server;
            }
        } catch (BindException e) {
            if (!config.handover().enabled()) throw metricsUnavailable(e);
            metricsDeferred = e;
        } catch (IOException e) {
            throw metricsUnavailable(e);
        }
    }

    private ConfigException metricsUnavailable(IOException e) {
        return new ConfigException("metrics.listen", "cannot serve metrics on " + config.metricsListen() + ": " + e.getMessage());
    }

    /**
     * Before any datagram is read: the templates the previous process knew (its snapshot is at most a
     * second old), so data from the exporters decodes at once instead of waiting for their next refresh.
     */
    void restoreTemplates() {
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
     * Before any datagram is read (after the snapshot restore, so the topic's newer definitions win):
     * reads the template share topic to its end, at most {@code templates.share.startup-wait}; then (or
     * after the wait, the reading going on) applied templates go to the listeners' first workers, as a
     * predecessor's last snapshot does. Registers its metrics and its health reason.
     */
    void startSharing(io.prometheus.metrics.model.registry.PrometheusRegistry registry,
                      java.util.function.Consumer<java.util.function.Supplier<String>> degradedReasons) {
        var settings = config.templateShare();
        if (!settings.enabled()) return;
        java.util.Map<String, Object> kafka = new java.util.HashMap<>();
        // the kafka section's security settings apply to this topic too (same cluster)
        config.kafka().producerProperties().forEach((k, v) -> {
            if (k.startsWith("security.") || k.startsWith("sasl.") || k.startsWith("ssl.")) kafka.put(k, v);
        });
        kafka.put("bootstrap.servers", config.kafka().bootstrapServers());
        share = new io.sluice.share.TemplateShare(settings, kafka, decoders.templateStore(), config.netflow().maxTemplates());
        io.sluice.share.ShareMetrics.register(registry, share);
        degradedReasons.accept(share::degradedReason);
        long[] lost = {0};
        long t0 = System.nanoTime();
        boolean caughtUp;
        try {
            caughtUp = share.start(decoders.directTemplateApplier(lost));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            caughtUp = false;
        }
        share.serving(this::injectTemplate);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (caughtUp) {
            log.info("template share: read topic {} to its end in {} ms ({} records applied)", settings.topic(), ms,
                    share.stats().applied());
        } else {
            log.warn("template share: topic {} not read to its end within {} ({}); serving, and applying its records as they come",
                    settings.topic(), settings.startupWait(), share.degradedReason() == null ? "still reading" : share.degradedReason());
        }
        if (lost[0] > 0) log.warn("template share: {} flows released before serving were not delivered", lost[0]);
    }

    /** A template message of the share, given to the first worker of a listener reading its protocol. */
    private void injectTemplate(TemplateMessage m) {
        for (TemplateInlet inlet : templateInlets) {
            if (inlet.accepts(m.protocol())) {
                inlet.worker().inject(m.datagram());
                return;
            }
        }
    }

    /**
     * Every listener takes over from the sluice that served it before, then the previous owners are told
     * to stop: only now, since a previous owner stops all its listeners at once (docs/upgrade.md). Then
     * watches them exit.
     *
     * @throws ConfigException the metrics address is in use and no predecessor was stopped to free it
     */
    void takeOver(List<ReuseportReceivePath> listeners) throws ConfigException {
        List<Handover.Predecessor> stopped = new ArrayList<>();
        if (config.handover().enabled()) {
            List<Handover> handovers = new ArrayList<>();
            for (ReuseportReceivePath l : listeners) {
                Handover h = l.takeOver(config.handover());
                if (h != null) handovers.add(h);
            }
            for (Handover.Predecessor p : Handover.stopPredecessors(handovers)) {
                if (p.result() == ProcessInfo.StopResult.SIGNALLED || p.result() == ProcessInfo.StopResult.GONE) stopped.add(p);
            }
        }
        if (metricsDeferred != null && stopped.isEmpty()) throw metricsUnavailable(metricsDeferred);
        if (!stopped.isEmpty()) watchPredecessors(stopped, List.copyOf(listeners));
    }

    /**
     * What waits for the predecessors to exit (they drain, flush and exit within their shutdown
     * timeout): then their last template snapshot is loaded, and the metrics address they held is bound.
     */
    private void watchPredecessors(List<Handover.Predecessor> stopped, List<ReuseportReceivePath> listeners) {
        Duration bound = config.shutdownTimeout().plus(PREDECESSOR_EXIT_MARGIN);
        predecessorRunning = true;
        predecessorWatch = Thread.ofPlatform().daemon().name("sluice-predecessor-watch").start(() -> {
            try {
                awaitExit(stopped, bound);
            } catch (StillRunning e) {
                log.warn("{}: loading its last templates{} anyway", e.getMessage(),
                        metricsDeferred != null ? " and trying the metrics address" : "");
            } catch (InterruptedException e) {
                return; // closing
            }
            reloadTemplates();
            predecessorRunning = false;
            logTakeoverDrops(listeners);
            if (metricsDeferred != null) bindDeferredMetrics(METRICS_RETRY);
        });
    }

    /** The bound passed while a predecessor still ran. */
    private static final class StillRunning extends Exception {
        StillRunning(String message) {
            super(message);
        }
    }

    private static void awaitExit(List<Handover.Predecessor> predecessors, Duration bound) throws StillRunning, InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        for (Handover.Predecessor p : predecessors) {
            while (ProcessInfo.alive(p.pid(), p.startTicks())) {
                if (System.nanoTime() - deadline > 0) {
                    throw new StillRunning("the previous sluice pid " + p.pid() + " still runs " + bound.toSeconds()
                            + " s after it was told to stop");
                }
                Thread.sleep(PREDECESSOR_POLL_MILLIS);
            }
        }
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
            int given = 0;
            for (TemplateMessage m : decoders.snapshotTemplates(file, config.handover().templateSnapshotMaxAge())) {
                for (TemplateInlet inlet : templateInlets) {
                    if (inlet.accepts(m.protocol())) {
                        inlet.worker().inject(m.datagram());
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

    /**
     * What this process's sockets dropped from its start until the predecessor exited: the loss of the
     * takeover itself (a successor still cold when the port is steered to it), said once in the log
     * (sluice_socket_drops_total has it too, mixed with everything after).
     */
    private static void logTakeoverDrops(List<ReuseportReceivePath> listeners) {
        for (ReuseportReceivePath l : listeners) {
            long dropped = 0;
            for (int w = 0; w < l.workers(); w++) dropped += Math.max(0, l.socketDrops(w));
            if (dropped > 0) {
                log.warn("takeover of {}: its sockets dropped {} datagrams until the previous sluice exited "
                        + "(receive buffers full while this process warmed up)", l.localAddress(), dropped);
            } else {
                log.info("takeover of {}: no datagram dropped by its sockets until the previous sluice exited", l.localAddress());
            }
        }
    }

    /** Binds the metrics address a predecessor held, retrying with backoff while it is still in use. */
    private void bindDeferredMetrics(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        long backoffMs = 50;
        IOException last = metricsDeferred;
        while (true) {
            try {
                MetricsServer server = metricsBinder.bind();
                synchronized (metricsLock) {
                    if (closed) {
                        server.close();
                        return;
                    }
                    metricsServer = server;
                }
                metricsDeferred = null;
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

    /** The template snapshot of the state dir, or null when none is configured. */
    private Path templateSnapshot() {
        String dir = config.handover().stateDir();
        return dir.isEmpty() ? null : Path.of(dir, TEMPLATE_SNAPSHOT);
    }

    /** Writes the template snapshot when the templates changed since the last one (housekeeping, stop). */
    void saveTemplates() {
        Path file = templateSnapshot();
        if (file == null || predecessorRunning || lastSavedTemplates == -1) return;
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

    /** Whether the metrics address waits for the previous sluice to release it. */
    boolean metricsDeferred() {
        return metricsDeferred != null;
    }

    /** The bound metrics port, or -1 while it waits for the previous sluice to release the address. */
    int metricsPort() {
        synchronized (metricsLock) {
            return metricsServer == null ? -1 : metricsServer.port();
        }
    }

    /** First thing on stop: no more succession work (the watch is interrupted, a late bind is closed). */
    void stop() {
        synchronized (metricsLock) {
            closed = true;
        }
        if (predecessorWatch != null) predecessorWatch.interrupt();
    }

    /** After the workers drained: the last changes are published, the share's threads end. */
    void stopSharing() {
        if (share != null) share.close();
    }

    /** Last thing on stop: the metrics endpoint goes. */
    void closeMetrics() {
        synchronized (metricsLock) {
            if (metricsServer != null) metricsServer.close();
        }
    }
}

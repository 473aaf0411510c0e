package io.sluice.cli;

import io.sluice.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGHUP (systemd's ExecReload) for {@code sluice run}: runs the reload ({@code RunCommand}: re-read the
 * configuration with the same flags, put the listeners' allow and rate-limit in force); a configuration
 * that is invalid or needs a restart is logged and changes nothing.
 *
 * <p>Installed before the service starts, like {@link StopSignals} and for the same reason: start-up
 * announces the listeners before it returns, and a SIGHUP in that window found the JVM's default
 * handling, which ends the process (a reload that killed sluice; SighupReloadTest hit it once on a loaded
 * machine). A SIGHUP during start-up is held, and the reload runs as soon as start-up ends.
 */
final class ReloadSignal {
    private static final Logger log = LoggerFactory.getLogger(ReloadSignal.class);

    /** What a SIGHUP does once start-up is over. */
    interface Reload {
        void run() throws ConfigException;
    }

    private Reload reload;
    private boolean pending;

    private ReloadSignal() {}

    /** Takes over HUP; a platform without it logs that reloading needs a restart. */
    static ReloadSignal install() {
        ReloadSignal r = new ReloadSignal();
        try {
            Signal.handle(new Signal("HUP"), s -> r.received());
        } catch (IllegalArgumentException unavailable) {
            log.warn("cannot handle SIGHUP: reloading the guard needs a restart");
        }
        return r;
    }

    private void received() {
        Reload r;
        synchronized (this) {
            r = reload;
            if (r == null) {
                pending = true;
                log.info("SIGHUP during start-up: the configuration is reloaded as soon as start-up ends");
                return;
            }
        }
        run(r);
    }

    /** Start-up is over: from now on a SIGHUP runs {@code r}, and one held meanwhile runs it now. */
    void started(Reload r) {
        boolean held;
        synchronized (this) {
            reload = r;
            held = pending;
            pending = false;
        }
        if (held) run(r);
    }

    private static void run(Reload r) {
        try {
            r.run();
        } catch (ConfigException e) {
            log.error("reload refused, nothing changed: {}", e.getMessage());
        } catch (RuntimeException e) {
            log.error("reload failed: {}", e.toString());
        }
    }
}

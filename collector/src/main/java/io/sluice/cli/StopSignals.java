package io.sluice.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT for {@code sluice run}: they release {@link #await} instead of starting the JVM's
 * shutdown, so the main thread stops the service in order and the process exits 0 (a JVM ended by a
 * signal exits 143 without draining anything).
 *
 * <p>Installed before the service starts, because start-up announces the listeners (and takes the
 * port over from a predecessor) before it returns: a SIGTERM in that window used to find the JVM's
 * default handling and end the process with 143, its sockets undrained. A signal during start-up is
 * therefore held and honoured the moment start-up ends; a second one during start-up (an operator's
 * second Ctrl-C while start-up waits for a broker) ends the process at once, as before.
 */
final class StopSignals {
    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicBoolean started = new AtomicBoolean();

    /** Takes over TERM and INT; a platform without them keeps the JVM's handling (the shutdown hook). */
    static StopSignals install() {
        StopSignals signals = new StopSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), signals::received);
            } catch (IllegalArgumentException unavailable) {
                log.warn("cannot handle SIG{}: the shutdown hook stops sluice instead", name);
            }
        }
        return signals;
    }

    private void received(Signal signal) {
        if (started.get()) {
            stop.countDown();
        } else if (stop.getCount() > 0) {
            log.info("SIG{} during start-up: sluice stops as soon as start-up ends (again to exit at once)", signal.getName());
            stop.countDown();
        } else {
            Runtime.getRuntime().exit(128 + signal.getNumber()); // what the JVM's own handling exits with (143, 130)
        }
    }

    /** Start-up is over: from now on a signal just releases {@link #await}. */
    void started() {
        started.set(true);
    }

    void await() throws InterruptedException {
        stop.await();
    }
}

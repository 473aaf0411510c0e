package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.sluice.testing.ChildProcess;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Real SIGTERMs and SIGHUPs (kill(1)) to a JVM holding {@link StopSignals} and {@link ReloadSignal}: a SIGTERM during start-up is held until
 * start-up ends and then stops in order (exit 0, the drain runs), a second one during start-up ends
 * the process at once. The first case is what HandoverIT met: a SIGTERM right after "listening on",
 * before the handler was installed, ended sluice with 143 and its sockets undrained.
 */
class StopSignalsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void aSigtermDuringStartUpStopsInOrderOnceStartUpEnds() throws Exception {
        try (ChildProcess child = ChildProcess.java(StopSignalsChild.class)) {
            sigtermDuringStartUp(child);
            endStartUp(child);
            child.awaitLine("STARTED", WAIT);
            child.awaitLine("STOPPED", WAIT);
            assertEquals(0, child.awaitExit(WAIT), child.output());
        }
    }

    @Test
    void aSecondSigtermDuringStartUpExitsAtOnce() throws Exception {
        try (ChildProcess child = ChildProcess.java(StopSignalsChild.class)) {
            sigtermDuringStartUp(child);
            child.signal("TERM");
            assertEquals(143, child.awaitExit(WAIT), child.output()); // as a JVM ended by SIGTERM
            assertFalse(child.output().contains("STARTED"), child.output());
        }
    }

    @Test
    void aSigtermAfterStartUpStops() throws Exception {
        try (ChildProcess child = ChildProcess.java(StopSignalsChild.class)) {
            child.awaitLine("STARTING", WAIT);
            endStartUp(child);
            child.awaitLine("STARTED", WAIT);
            child.signal("TERM");
            child.awaitLine("STOPPED", WAIT);
            assertEquals(0, child.awaitExit(WAIT), child.output());
            assertFalse(child.output().contains("during start-up"), child.output());
        }
    }

    /** SIGHUP (ReloadSignal): one during start-up reloads once start-up ends, instead of ending the JVM. */
    @Test
    void aSighupDuringStartUpReloadsOnceStartUpEnds() throws Exception {
        try (ChildProcess child = ChildProcess.java(StopSignalsChild.class)) {
            child.awaitLine("STARTING", WAIT);
            child.signal("HUP");
            child.awaitContaining("SIGHUP during start-up: the configuration is reloaded as soon as start-up ends", WAIT);
            assertFalse(child.output().contains("RELOADED"), "not before start-up ends");
            endStartUp(child);
            child.awaitLine("RELOADED", WAIT);
            child.signal("HUP"); // after start-up: at once
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (child.output().split("RELOADED", -1).length - 1 < 2 && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals(2, child.output().split("RELOADED", -1).length - 1, child.output());
            child.signal("TERM");
            child.awaitLine("STOPPED", WAIT);
            assertEquals(0, child.awaitExit(WAIT), child.output());
        }
    }

    /** The child in start-up gets a SIGTERM and says it holds it. */
    private static void sigtermDuringStartUp(ChildProcess child) throws Exception {
        child.awaitLine("STARTING", WAIT);
        child.signal("TERM");
        child.awaitContaining("SIGTERM during start-up: sluice stops as soon as start-up ends", WAIT);
    }

    private static void endStartUp(ChildProcess child) throws Exception {
        OutputStream in = child.process().getOutputStream();
        in.write("go\n".getBytes(StandardCharsets.UTF_8));
        in.flush();
    }
}

package io.sluice.service;

import io.sluice.handover.Handover;
import io.sluice.handover.ProcessInfo;
import java.time.Duration;
import java.util.List;

/**
 * Waits for the sluice processes this one took over from to exit. A process is named by pid and start
 * time ({@link ProcessInfo#alive}), so a pid recycled in between is not waited for. Polled every 50 ms:
 * what follows the exit (the last template snapshot, the freed metrics address) does not need the
 * exact moment, and a predecessor exits once.
 */
final class PredecessorWatch {
    private static final long POLL_MILLIS = 50;

    /** The bound passed while a predecessor still ran. */
    static final class StillRunning extends Exception {
        StillRunning(String message) {
            super(message);
        }
    }

    private PredecessorWatch() {}

    /**
     * @throws StillRunning a predecessor still runs after {@code bound}
     * @throws InterruptedException this process is stopping
     */
    static void awaitExit(List<Handover.Predecessor> predecessors, Duration bound) throws StillRunning, InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        for (Handover.Predecessor p : predecessors) {
            while (ProcessInfo.alive(p.pid(), p.startTicks())) {
                if (System.nanoTime() - deadline > 0) {
                    throw new StillRunning("the previous sluice pid " + p.pid() + " still runs " + bound.toSeconds()
                            + " s after it was told to stop");
                }
                Thread.sleep(POLL_MILLIS);
            }
        }
    }
}

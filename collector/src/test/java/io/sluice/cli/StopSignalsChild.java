package io.sluice.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A JVM standing for {@code sluice run} around {@link StopSignals} and {@link ReloadSignal}: it prints
 * STARTING and is "in start-up" until a line arrives on stdin, then STARTED, prints RELOADED for each
 * reload, waits for the stop, prints STOPPED and exits 0.
 */
public final class StopSignalsChild {
    public static void main(String[] args) throws Exception {
        StopSignals signals = StopSignals.install();
        ReloadSignal reload = ReloadSignal.install();
        System.out.println("STARTING");
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        signals.started();
        System.out.println("STARTED");
        reload.started(() -> System.out.println("RELOADED"));
        signals.await();
        System.out.println("STOPPED");
        System.exit(0);
    }
}

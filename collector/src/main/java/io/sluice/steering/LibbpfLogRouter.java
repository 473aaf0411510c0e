package io.sluice.steering;

import io.sluice.libbpf.LibbpfLog;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends libbpf's messages to slf4j (logger {@code io.sluice.libbpf}: WARN, INFO, DEBUG as libbpf
 * grades them), and lets a load keep the warnings it caused, so a refusal's exception can quote the
 * kernel's reason (e.g. the verifier's last line).
 */
final class LibbpfLogRouter {
    private static final Logger LOG = LoggerFactory.getLogger("io.sluice.libbpf");
    private static final ThreadLocal<List<String>> CAPTURED = new ThreadLocal<>();
    private static boolean installed;

    private LibbpfLogRouter() {}

    /** Installs the route once (libbpf must be loadable; else UnsatisfiedLinkError). */
    static synchronized void install() {
        if (installed) {
            return;
        }
        LibbpfLog.install(new LibbpfLog.Sink() {
            @Override
            public void log(LibbpfLog.Level level, String message) {
                List<String> captured = CAPTURED.get();
                if (captured != null && level != LibbpfLog.Level.DEBUG && captured.size() < 200) {
                    captured.add(message);
                }
                switch (level) {
                    case WARN -> LOG.warn(message);
                    case INFO -> LOG.info(message);
                    case DEBUG -> LOG.debug(message);
                }
            }

            @Override
            public boolean enabled(LibbpfLog.Level level) {
                return level != LibbpfLog.Level.DEBUG || LOG.isDebugEnabled();
            }
        });
        installed = true;
    }

    /** Starts keeping this thread's libbpf warnings. */
    static void startCapture() {
        CAPTURED.set(new ArrayList<>());
    }

    /** Stops keeping them and returns what was kept. */
    static List<String> stopCapture() {
        List<String> lines = CAPTURED.get();
        CAPTURED.remove();
        return lines == null ? List.of() : lines;
    }
}

package io.sluice.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether stderr is a terminal, for the progress line. {@link System#console()} only says whether stdin
 * and stdout are (it is null for {@code sluice decode big.pcap > flows.json}, when progress is most
 * wanted), so on Linux the descriptor itself is asked: /proc/self/fd/2 links to a tty or pts device.
 */
final class StderrTerminal {
    private StderrTerminal() {}

    static boolean isTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return System.console() != null;
        }
    }
}

package io.sluice.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The other real refusal: no privilege. A child JVM runs without CAP_BPF/CAP_SYS_ADMIN/CAP_PERFMON
 * (removed from its bounding set by setpriv) and must fall back to the kernel hash, saying why.
 */
class NoPrivilegeFallbackTest {
    @Test
    void withoutCapabilitiesTheListenerFallsBackAndSaysWhy() throws Exception {
        Path setpriv = Path.of("/usr/bin/setpriv");
        Assumptions.assumeTrue(Files.isExecutable(setpriv), "setpriv (util-linux) is needed to drop capabilities");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(setpriv.toString(),
                "--bounding-set=-bpf,-sys_admin,-perfmon", "--inh-caps=-all", "--", java,
                "--enable-native-access=ALL-UNNAMED",
                "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), FallbackProbe.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean exited = p.waitFor(30, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!exited) {
            p.destroyForcibly();
        }
        System.out.println(out);
        // setpriv itself needs CAP_SETPCAP to shrink the bounding set; without it there is nothing to drop.
        Assumptions.assumeFalse(out.startsWith("setpriv:"), "cannot drop capabilities here: " + out.strip());
        assertTrue(exited, "probe did not exit");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("loaded=false"), out);
        assertTrue(out.contains("effective=hash"), out);
        assertTrue(out.contains("reason=the kernel refused") && out.contains("EPERM"), out);
        assertTrue(out.matches("(?s).*WARN  \\[main] Steering: [^\n]*falling back.*"), out); // logback-test.xml: LEVEL [thread] Logger: message
    }
}

package io.sluice.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.Main;
import io.sluice.testing.BpfRequirement;
import io.sluice.testing.MetricsScrape;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run} as systemd runs it, with only CAP_BPF and CAP_NET_ADMIN: a real SIGHUP (what ExecReload sends) re-reads the file and
 * puts the new allow-list in force without a restart; an invalid file is refused and changes nothing;
 * SIGTERM still stops it with 0.
 */
class SighupReloadTest {
    @TempDir
    Path dir;

    @Test
    void sighupReloadsTheAllowListOfTheRunningProcess() throws Exception {
        BpfRequirement.assumeBpf();
        Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, yaml("[127.0.0.2/32]"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        // with exactly the systemd unit's capabilities (contrib/systemd): the guard needs nothing more
        List<String> command = List.of("/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-all,+bpf,+net_admin", "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--config", config.toString(), "--output.type=none", "--metrics.listen=127.0.0.1:0");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
        });
        try {
            Matcher listen = await(output, Pattern.compile("listening on /127\\.0\\.0\\.1:(\\d+)"));
            Matcher metrics = await(output, Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics"));
            String capEff = Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow();
            assertEquals(Long.toHexString((1L << 12) | (1L << 39)), Long.toHexString(Long.parseLong(capEff.split("\\s+")[1], 16)),
                    "CAP_NET_ADMIN and CAP_BPF only: " + capEff);
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", Integer.parseInt(listen.group(1)));
            String base = "http://127.0.0.1:" + metrics.group(1);
            try (Sources.Sender other = new Sources.Sender("127.0.0.3", target)) {
                for (int i = 0; i < 200; i++) other.send();
                assertEquals(200, awaitSum(base, "sluice_kernel_dropped_total", 200));

                Files.writeString(config, yaml("[127.0.0.2/32, 127.0.0.3/32]"));
                signal(p, "HUP");
                await(output, Pattern.compile("reloaded the guard: allow \\[.*127\\.0\\.0\\.3/32"));
                for (int i = 0; i < 200; i++) other.send();
                assertEquals(200, awaitSum(base, "sluice_packets_received_total", 200), output.toString());

                Files.writeString(config, "listeners: [");
                signal(p, "HUP");
                await(output, Pattern.compile("reload refused, nothing changed"));
                for (int i = 0; i < 200; i++) other.send();
                assertEquals(400, awaitSum(base, "sluice_packets_received_total", 400), output.toString());
                assertEquals(200, MetricsScrape.get(base).sum("sluice_kernel_dropped_total"));
            }
            signal(p, "TERM");
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), output.toString());
            assertEquals(0, p.exitValue(), output.toString());
        } finally {
            p.destroyForcibly();
            reader.join(5_000);
            System.out.println(output);
        }
    }

    private static String yaml(String allow) {
        return "listeners:\n  - address: 127.0.0.1:0\n    workers: 2\n    allow: " + allow + "\n";
    }

    private static void signal(Process p, String name) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start().waitFor());
    }

    private static Matcher await(StringBuilder output, Pattern pattern) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (output) {
                Matcher m = pattern.matcher(output);
                if (m.find()) return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no line matching " + pattern + " in:\n" + output);
    }

    private static long awaitSum(String base, String metric, long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        long v;
        do {
            v = MetricsScrape.get(base).sum(metric);
            if (v >= expected) break;
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return v;
    }
}

package io.sluice.contrib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.cli.Replayer;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.service.ReuseportReceivePath;
import io.sluice.service.SluiceService;
import io.sluice.service.StandardDecoders;
import io.sluice.testing.Captures;
import io.sluice.testing.MetricsScrape;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * contrib/prometheus and contrib/grafana against the real tools: promtool checks and unit-tests the
 * rules; Debian's Prometheus scrapes a running sluice and evaluates them (their windows and `for`
 * shortened to seconds, the expressions unchanged): quiet on healthy traffic (the hsflowd capture,
 * whose skipped records once were decode errors), firing on induced upstream loss and kernel drops; and
 * every metric the dashboard names is in the scrape.
 */
class PrometheusAlertsTest {
    static final Path CONTRIB = repoRoot().resolve("contrib");
    static final ObjectMapper JSON = new ObjectMapper();

    static Path repoRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("contrib")) && Files.isDirectory(d.resolve("collector"))) return d;
        }
        throw new AssertionError("repository root not found");
    }

    static void requireTool(String tool) {
        boolean found = Files.isExecutable(Path.of("/usr/bin", tool));
        if (!found) {
            String message = tool + " is not installed (bin/setup installs Debian's prometheus package)";
            if (System.getenv("CI") != null) throw new AssertionError(message);
            Assumptions.abort(message);
        }
    }

    static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
        return out;
    }

    @Test
    void promtoolChecksAndUnitTestsTheRules() throws Exception {
        requireTool("promtool");
        Path dir = CONTRIB.resolve("prometheus");
        assertTrue(run(dir, "promtool", "check", "rules", "sluice-alerts.yml").contains("SUCCESS: 8 rules found"));
        assertTrue(run(dir, "promtool", "test", "rules", "sluice-alerts.test.yml").contains("SUCCESS"));
    }

    /**
     * The sluice the scenario needs, as command-line settings: a tiny socket buffer (so a burst drops in
     * the kernel), a reorder window of 1 s. The same for the in-process service and for bin/sluice run
     * (PrometheusAlertsIT).
     */
    static final List<String> SLUICE_SETTINGS = List.of("--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=2",
            "--listeners[0].rcvbuf=65536", "--output.type=none", "--metrics.listen=127.0.0.1:0", "--exporters.reorder-window=1s");

    @Test
    void realPrometheusAlertsOnFaultsOnlyAndTheDashboardNamesOnlyScrapedMetrics(@TempDir Path tmp) throws Exception {
        requireTool("prometheus");
        List<String> args = new ArrayList<>(List.of("--config", "/dev/null"));
        args.addAll(SLUICE_SETTINGS);
        SluiceConfig config = ConfigLoader.load(args.toArray(String[]::new));
        try (SluiceService service = SluiceService.start(config)) {
            alertsFireOnFaultsOnly(service.listenerAddress(0), "127.0.0.1:" + service.metricsPort(), tmp);
        }
    }

    /**
     * Debian's Prometheus scrapes the sluice whose listener is {@code to} and metrics {@code sluice}
     * (host:port) and evaluates the shipped rules on it: quiet on healthy hsflowd traffic, firing on induced
     * upstream loss and kernel drops; every metric the dashboard names is in the scrape.
     */
    static void alertsFireOnFaultsOnly(InetSocketAddress to, String sluice, Path tmp) throws Exception {
        List<byte[]> hsflowd = CaptureReader.read(Captures.bench().resolve("hsflowd-sflow.pcap")).stream()
                .map(CapturedDatagram::payload).toList();
        boolean ebpf = MetricsScrape.get("http://" + sluice).sum("sluice_ebpf_loaded") == 1;
        int promPort;
        try (ServerSocket s = new ServerSocket(0)) {
            promPort = s.getLocalPort();
        }
        // the shipped rules, with windows and holds in seconds so that a test sees them within a minute
        String rules = Files.readString(CONTRIB.resolve("prometheus/sluice-alerts.yml"))
                .replaceAll("\\[(5|10)m\\]", "[10s]").replaceAll("for: \\d+m", "for: 0s");
        Files.writeString(tmp.resolve("rules.yml"), rules);
        Files.writeString(tmp.resolve("prometheus.yml"), """
                global: {scrape_interval: 1s, evaluation_interval: 1s}
                rule_files: [rules.yml]
                scrape_configs:
                  - job_name: sluice
                    static_configs: [{targets: ['%s']}]
                """.formatted(sluice));
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + tmp.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                .directory(tmp.toFile()).redirectErrorStream(true).redirectOutput(tmp.resolve("prometheus.log").toFile()).start();
        String api = "http://127.0.0.1:" + promPort + "/api/v1/";
        try {
            awaitQuery(api, "up{job=\"sluice\"} == 1", Duration.ofSeconds(60));
            // healthy: an hsflowd fleet of two agents, complete sequences
            Replayer.send(hsflowd.subList(0, 400), to, InetAddress.getByName("127.0.0.61"), 200, 1);
            Thread.sleep(12_000); // more than the rules' windows, evaluated every second
            Set<String> healthy = activeAlerts(api);
            if (!ebpf) healthy.remove("SluiceEbpfNotLoaded"); // true here: the kernel hash steers
            assertEquals(Set.of(), healthy, "healthy traffic raises no alert");
            assertEquals(0, MetricsScrape.get("http://" + sluice).sum("sluice_exporter_decode_errors_total"));

            // faults: 100 datagrams of the agent's sequence missing, then a burst into the tiny socket buffer
            Replayer.send(hsflowd.subList(500, 600), to, InetAddress.getByName("127.0.0.61"), 200, 1);
            Replayer.send(hsflowd.subList(600, 908), to, InetAddress.getByName("127.0.0.62"), 0, 60);
            Set<String> expected = Set.of("SluiceExporterUpstreamLoss", "SluiceSocketDrops");
            long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
            Set<String> active;
            do {
                active = activeAlerts(api);
                if (active.containsAll(expected)) break;
                Thread.sleep(500);
            } while (System.nanoTime() < deadline);
            assertTrue(active.containsAll(expected), "induced faults fire: " + active);
            assertTrue(!active.contains("SluiceExporterDecodeErrors") && !active.contains("SluiceDown"), active.toString());

            // every metric the dashboard names is in a real scrape
            MetricsScrape scrape = MetricsScrape.get("http://" + sluice);
            Set<String> named = dashboardMetrics();
            assertTrue(named.size() >= 15, named.toString());
            for (String metric : named) assertTrue(scrape.has(metric), "the dashboard names " + metric + ", not in the scrape");
        } finally {
            prometheus.destroy();
            prometheus.waitFor(20, TimeUnit.SECONDS);
        }
    }

    static Set<String> dashboardMetrics() throws IOException {
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("\\b(sluice_[a-z_]+)\\b").matcher("");
        for (JsonNode panel : JSON.readTree(CONTRIB.resolve("grafana/sluice-dashboard.json").toFile()).get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                m.reset(target.get("expr").asText());
                while (m.find()) names.add(m.group(1));
            }
        }
        return names;
    }

    static Set<String> activeAlerts(String api) throws Exception {
        JsonNode alerts = JSON.readTree(get(api + "alerts")).get("data").get("alerts");
        Set<String> names = new TreeSet<>();
        for (JsonNode a : alerts) names.add(a.get("labels").get("alertname").asText());
        return names;
    }

    static void awaitQuery(String api, String query, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                JsonNode r = JSON.readTree(get(api + "query?query=" + java.net.URLEncoder.encode(query, "UTF-8")));
                if (r.get("data").get("result").size() > 0) return;
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus never answered " + query);
    }

    static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException(url + " answered " + r.statusCode());
        return r.body();
    }
}

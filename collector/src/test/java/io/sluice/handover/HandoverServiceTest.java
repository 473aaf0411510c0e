package io.sluice.handover;

import static io.sluice.testing.TemplateMessage.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.Main;
import io.sluice.decode.netflow.Ie;
import io.sluice.testing.PinRoot;
import io.sluice.testing.TemplateMessage;
import io.sluice.testing.ChildProcess;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handover of the whole service between two real sluice processes ({@code io.sluice.cli.Main run}
 * in child JVMs, as bin/sluice runs it, with the file output): both configured with one metrics
 * address, the successor serves it once the predecessor has exited; and the templates the predecessor
 * learnt while it stopped reach the successor, whose parked data sets they release.
 */
class HandoverServiceTest {
    private static final Duration START = Duration.ofSeconds(60);
    private static final Pattern LISTENING = Pattern.compile("listening on /?[^ ]*:(\\d+) ");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int TEMPLATE_ID = 300;

    @TempDir
    Path temp;
    @PinRoot // mounts /sys/fs/bpf for real when missing
    Path pinRoot;

    /**
     * The first process is frozen with an IPFIX template queued in its socket; the second takes over
     * (its metrics address is the first's: it waits) and receives data of that template, which it
     * parks. The first then stops: it drains the template, learns it, saves its snapshot and exits.
     * The second loads it, its worker decodes it, and the parked data comes out as flows; and the
     * metrics address answers, from the second.
     */
    @Test
    void theSuccessorGetsTheStoppedProcesssLastTemplatesAndItsMetricsAddress() throws Exception {
        int metricsPort = freeTcpPort();
        Path firstOut = temp.resolve("first.json");
        Path secondOut = temp.resolve("second.json");
        try (ChildProcess first = sluice(config(0, metricsPort, firstOut))) {
            int port = listeningPort(first);
            first.awaitContaining("metrics on http://127.0.0.1:" + metricsPort, START);
            InetSocketAddress target = new InetSocketAddress(LOOPBACK, port);
            first.signal("STOP");
            try (DatagramSocket exporter = new DatagramSocket(0, LOOPBACK)) {
                send(exporter, target, ipfixTemplate());
                try (ChildProcess second = sluice(config(port, metricsPort, secondOut))) {
                    second.awaitContaining("took over from pid " + first.pid(), START);
                    second.awaitContaining("once the previous sluice has exited", START); // its metrics address is in use
                    send(exporter, target, ipfixData(3));
                    Thread.sleep(500); // received and parked: the template is unknown here

                    first.signal("CONT");
                    assertEquals(0, first.awaitExit(Duration.ofSeconds(30)), first.output());
                    assertTrue(first.output().contains("received 1 in all"), first.output()); // the template, read after SIGCONT

                    second.awaitContaining("bound after the previous sluice exited", Duration.ofSeconds(20));
                    assertEquals(200, httpStatus(metricsPort, "/healthz"), "the second process serves the metrics address");
                    assertTrue(httpBody(metricsPort, "/metrics").contains("sluice_"), "its metrics");
                    // the flows come out of the parked set as soon as the second's worker has decoded the first's template
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    String metrics = httpBody(metricsPort, "/metrics");
                    while (metricSum(metrics, "sluice_flows_decoded_total") < 3 && System.nanoTime() < deadline) {
                        Thread.sleep(50);
                        metrics = httpBody(metricsPort, "/metrics");
                    }
                    System.out.println("--- first:\n" + first.output() + "--- second:\n" + second.output());
                    assertEquals(3, metricSum(metrics, "sluice_flows_decoded_total"), metrics);
                    assertEquals(0, metricSum(metrics, "sluice_pending_template_sets"), metrics);
                    assertEquals(0, metricSum(metrics, "sluice_decode_errors_total"), metrics);
                    assertTrue(second.process().isAlive());
                    second.signal("TERM");
                    assertEquals(0, second.awaitExit(Duration.ofSeconds(30)), second.output());
                    assertEquals(3, flowLines(secondOut), "the parked data, decoded with the first's last template");
                    assertTrue(Files.readString(secondOut).contains("\"src_addr\":\"10.9.8.0\""), Files.readString(secondOut));
                }
            }
        }
    }

    /** The metrics address in use and no sluice to take over from: startup fails, naming the key. */
    @Test
    void aMetricsAddressInUseWithoutAPredecessorStillFailsTheStart() throws Exception {
        try (ServerSocket squatter = new ServerSocket(0, 50, LOOPBACK);
                ChildProcess only = sluice(config(0, squatter.getLocalPort(), temp.resolve("only.json")))) {
            assertNotEquals(0, only.awaitExit(START), only.output());
            assertTrue(only.output().contains("metrics.listen") && only.output().contains("cannot serve metrics on"),
                    only.output());
        }
    }

    private ChildProcess sluice(Path config) throws IOException {
        return ChildProcess.java(Main.class, "run", "--config", config.toString());
    }

    private Path config(int port, int metricsPort, Path out) throws IOException {
        Path state = temp.resolve("state");
        Files.createDirectories(state);
        Path file = Files.createTempFile(temp, "sluice-", ".yaml");
        Files.writeString(file, """
                listeners:
                  - {address: 127.0.0.1:%d, protocol: auto, workers: 1, steering: random}
                output: {type: file, file: {path: '%s'}}
                batching: {max-age: 100ms}
                metrics: {listen: 127.0.0.1:%d}
                handover: {pin-root: '%s', state-dir: '%s'}
                """.formatted(port, out, metricsPort, pinRoot, state));
        return file;
    }

    private static int listeningPort(ChildProcess p) throws InterruptedException {
        Matcher m = LISTENING.matcher(p.awaitContaining("SluiceService: listening on", START));
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    /** A port free at the moment, for the one metrics address both processes are configured with. */
    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, LOOPBACK)) {
            return s.getLocalPort();
        }
    }

    /** The sum of a metric's samples in a Prometheus text scrape. */
    private static double metricSum(String scrape, String name) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static long flowLines(Path file) throws IOException {
        if (!Files.exists(file)) return 0;
        return Files.readAllLines(file).stream().filter(l -> l.contains("src_addr")).count();
    }

    private static void send(DatagramSocket socket, InetSocketAddress target, byte[] payload) throws IOException {
        socket.send(new DatagramPacket(payload, payload.length, target));
    }

    /** IPFIX message, observation domain 1: template 300 = sourceIPv4Address, destinationIPv4Address, octetDeltaCount. */
    private static byte[] ipfixTemplate() {
        return message().templateSet(TEMPLATE_ID, field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.DESTINATION_IPV4_ADDRESS, 4),
                field(Ie.OCTET_DELTA_COUNT, 8)).build();
    }

    /** IPFIX data set of template 300: {@code records} flows 10.9.8.i -> 192.0.2.1, 1000 + i bytes. */
    private static byte[] ipfixData(int records) {
        TemplateMessage m = message().set(TEMPLATE_ID);
        for (int i = 0; i < records; i++) {
            m.body().put(new byte[] {10, 9, 8, (byte) i}).put(new byte[] {(byte) 192, 0, 2, 1}).putLong(1000 + i);
        }
        return m.build();
    }

    /** Exported now, sequence 0, observation domain 1. */
    private static TemplateMessage message() {
        return TemplateMessage.ipfix(1, System.currentTimeMillis() / 1000, 0);
    }

    private static int httpStatus(int port, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    private static String httpBody(int port, String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        try (var in = c.getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }
}

package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.cli.Replayer;
import io.sluice.flow.pb.FlowMessage;
import io.sluice.testing.Captures;
import io.sluice.testing.MetricsScrape;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `sluice run` in its own JVM, stopped by SIGTERM: batches held back by a one-hour max age and a batch
 * larger than the traffic are only handed over by the graceful stop, so every flow in the output file
 * proves the workers drained, decoded and flushed before the process exited 0.
 */
class GracefulStopTest {

    @Test
    void sigtermDrainsFlushesAndExitsZero(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("flows.pb");
        int metricsPort;
        try (ServerSocket s = new ServerSocket(0)) {
            metricsPort = s.getLocalPort();
        }
        // a fixed free port for the listener: the test must know where to send
        int udpPort;
        try (java.nio.channels.DatagramChannel c = java.nio.channels.DatagramChannel.open()) {
            c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            udpPort = ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
                "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.sluice.cli.Main", "run", "--config", "/dev/null",
                "--listeners[0].address=127.0.0.1:" + udpPort, "--listeners[0].workers=2",
                "--output.type=file", "--output.file.path=" + out, "--output.file.format=protobuf",
                "--batching.flows=100000", "--batching.max-age=1h", "--metrics.listen=127.0.0.1:" + metricsPort));
        long sent;
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("sluice.log").toFile()).start();
        try {
            String base = "http://127.0.0.1:" + metricsPort;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try {
                    if (MetricsScrape.status(base + "/healthz") == 200) break;
                } catch (java.io.IOException notYet) {
                    // not listening yet
                }
                assertTrue(p.isAlive(), "sluice exited: " + Files.readString(dir.resolve("sluice.log")));
                assertTrue(System.nanoTime() < deadline, "sluice did not become healthy");
                Thread.sleep(100);
            }
            List<byte[]> payloads = CaptureReader.read(Captures.file("akvorado/sflow/data-1140.pcap")).stream()
                    .map(CapturedDatagram::payload).toList();
            sent = Replayer.send(payloads, new InetSocketAddress(InetAddress.getLoopbackAddress(), udpPort), null, 2000, 200).datagrams();
            // wait until every datagram was received (nothing handed over yet: the batch is not full nor old)
            while (MetricsScrape.get(base).sum("sluice_packets_received_total") < sent && System.nanoTime() < deadline) Thread.sleep(50);
            assertEquals(0, Files.size(out), "flows are held in the batches until the stop");

            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped within 30 s");
            assertEquals(0, p.exitValue(), Files.readString(dir.resolve("sluice.log")));
        } finally {
            p.destroyForcibly();
        }
        int flows = 0;
        try (InputStream in = Files.newInputStream(out)) {
            FlowMessage m;
            while ((m = FlowMessage.parseDelimitedFrom(in)) != null) {
                assertEquals(FlowMessage.FlowType.SFLOW_5, m.getType());
                flows++;
            }
        }
        assertEquals(200 * 5, flows, "every flow of every datagram written on the way out (5 flows per datagram)");
        // the lifetime totals it logs on the way out: what it received and delivered, once /metrics is gone
        String log = Files.readString(dir.resolve("sluice.log"));
        assertTrue(log.contains("; in all: received " + sent + " datagrams, sockets dropped 0, discarded at the stop 0; decoded " + flows
                + " flows, delivered " + flows + ", dropped 0"), log);
    }
}

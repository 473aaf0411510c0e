package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.testing.TemplateMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A sluice that runs out of memory, or whose worker dies, ends (non-zero) instead of holding its
 * sockets with nobody reading them (issue 14: "the process stays up holding its sockets"). A real
 * `sluice run` in a child JVM with a small heap, flooded with IPFIX data sets of a template that never
 * comes, kept by a configuration that lets the parked sets grow without bound (a hostile
 * configuration on purpose: the defaults bound them).
 */
class FatalErrorExitTest {
    /** Heap for the child: the service starts in it, the parked sets overflow it within seconds. */
    private static final String HEAP = "-Xmx48m";
    private static final Pattern LISTENING = Pattern.compile("listening on /?127\\.0\\.0\\.1:(\\d+)");

    @Test
    void anOutOfMemoryErrorEndsTheProcessWithTheLaunchersFlag() throws Exception {
        Result r = flood(true);
        assertEquals(3, r.exit, "the JVM's ExitOnOutOfMemoryError status; output:\n" + r.output);
        assertTrue(r.output.contains("Terminating due to java.lang.OutOfMemoryError"), r.output);
    }

    @Test
    void aWorkerThatDiesEndsTheProcess() throws Exception {
        Result r = flood(false); // without the flag the OutOfMemoryError kills the worker thread
        assertEquals(70, r.exit, "output:\n" + r.output);
        assertTrue(r.output.contains("sluice: a thread died of an OutOfMemoryError"), r.output);
    }

    private record Result(int exit, String output) {}

    private static Result flood(boolean exitOnOom) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-XX:TieredStopAtLevel=1", HEAP));
        if (exitOnOom) cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.sluice.cli.Main", "run", "--config", "/dev/null",
                "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=1", "--listeners[0].steering=hash",
                "--output.type=none", "--metrics.listen=127.0.0.1:0", "--handover.enabled=false",
                "--templates.pending-max-sets=1000000", "--templates.pending-max-total=10000000",
                "--templates.pending-max-age=1h", "--templates.pending-max-bytes=" + Long.MAX_VALUE,
                "--templates.pending-max-bytes-per-exporter=" + Long.MAX_VALUE));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuffer output = new StringBuffer();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    output.append(line).append('\n');
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) port.complete(Integer.parseInt(m.group(1)));
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.complete(-1);
        });
        try {
            int to = port.get(60, TimeUnit.SECONDS);
            assertTrue(to > 0, "sluice started; output:\n" + output);
            byte[] datagram = dataSetOfAnUnknownTemplate(8800);
            try (DatagramSocket s = new DatagramSocket()) {
                DatagramPacket packet = new DatagramPacket(datagram, datagram.length, InetAddress.getLoopbackAddress(), to);
                // bounded: 200k × 8.8 kB is ~40 times the heap; paced so the socket buffer is not the limit
                for (int i = 0; i < 200_000 && p.isAlive(); i++) {
                    ByteBuffer.wrap(datagram).putInt(8, i); // sequence number
                    s.send(packet);
                    if (i % 200 == 199) Thread.sleep(10);
                }
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process ended; output:\n" + output);
            reader.join(5_000);
            return new Result(p.exitValue(), output.toString());
        } finally {
            p.destroyForcibly();
        }
    }

    /** An IPFIX message with one data set of template 300, which no template message ever defines. */
    private static byte[] dataSetOfAnUnknownTemplate(int length) {
        return TemplateMessage.ipfix(1, System.currentTimeMillis() / 1000, 0).set(300).zeros(length - 16 - 4).build();
    }
}

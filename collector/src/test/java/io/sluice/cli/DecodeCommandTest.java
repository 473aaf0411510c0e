package io.sluice.cli;

import io.sluice.capture.CaptureBuilder;
import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.testing.CaptureReplay;
import io.sluice.testing.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static io.sluice.capture.CaptureBuilder.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `sluice decode` on what operators feed it: non-captures, stdin, SLL2, fragments, --port, --config, the summary. */
class DecodeCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    private int decode(InputStream stdin, String... args) {
        return DecodeMain.main(args, stdin, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false);
    }

    private int decode(String... args) {
        return decode(InputStream.nullInputStream(), args);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private List<Map<String, Object>> flows() {
        return CaptureReplay.parseLines(out.toString(StandardCharsets.UTF_8));
    }

    private static Path repoReadme() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("README.md")) && Files.isDirectory(d.resolve("collector"))) {
                return d.resolve("README.md");
            }
        }
        throw new AssertionError("the repository's README.md is not above " + Path.of("").toAbsolutePath());
    }

    @Test
    void aTextFileIsRefusedWithExitOne() {
        Path readme = repoReadme();
        assertEquals(1, decode(readme.toString()));
        assertTrue(stderr().contains(readme + ": a text file, not a capture"), stderr());
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing decoded");
    }

    @Test
    void aGzippedCaptureIsRefusedSayingDecompressFirst() throws IOException {
        Path gz = dir.resolve("nfv5.pcap.gz");
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
            o.write(Files.readAllBytes(Captures.file("akvorado/netflow/nfv5.pcap")));
        }
        assertEquals(1, decode(gz.toString()));
        assertTrue(stderr().contains("gzip-compressed: decompress first"), stderr());
    }

    @Test
    void aNonCaptureAmongSeveralInputsStopsBeforeAnyOutput() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.pcap"));
        assertEquals(1, decode(Captures.file("akvorado/netflow/nfv5.pcap").toString(), empty.toString()));
        assertTrue(stderr().contains("empty.pcap: empty input, not a capture"), stderr());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aTruncatedCaptureKeepsWhatCameThenExitsOne() throws IOException {
        byte[] whole = Files.readAllBytes(Captures.file("akvorado/netflow/nfv5.pcap"));
        Path cut = dir.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 10));
        assertEquals(1, decode(cut.toString()));
        assertTrue(stderr().contains("the input ends inside a pcap record"), stderr());
        assertTrue(stderr().contains("truncated capture"), stderr());
    }

    @Test
    void anSll2CaptureDecodesLikeTheOriginal() throws IOException {
        // What `tcpdump -i any -w` writes since libpcap 1.10: before, sluice decode said {"datagrams":0}.
        Path original = Captures.file("akvorado/extra/ipfix_v10_with_mpls_labels.pcap");
        List<CapturedDatagram> real = CaptureReader.read(original);
        Path sll2 = dir.resolve("any.pcap");
        Files.write(sll2, pcapOf(ByteOrder.LITTLE_ENDIAN, false, 276, rewrap(real, false, CaptureBuilder::sll2)));
        assertEquals(0, decode("--count", original.toString()), stderr());
        String want = out.toString(StandardCharsets.UTF_8);
        out.reset();
        assertEquals(0, decode("--count", sll2.toString()), stderr());
        assertEquals(want, out.toString(StandardCharsets.UTF_8));
        assertTrue(want.startsWith("{\"datagrams\":" + real.size() + ","), want);
    }

    @Test
    void fragmentedDatagramsDecodeAsWholeOnes() throws IOException {
        // Every datagram of a real IPFIX capture, each sent in 256-byte IPv4 fragments, and the same over IPv6.
        List<CapturedDatagram> real = CaptureReader.read(Captures.file("akvorado/extra/ipfix_v10_with_mpls_labels.pcap"));
        // Each fragment carries its datagram's capture time: pending-template expiry depends on it.
        List<Frame> v4 = new ArrayList<>();
        List<Frame> v6 = new ArrayList<>();
        int id = 1;
        for (CapturedDatagram d : real) {
            byte[] udp = udp(d.sourcePort(), d.destinationPort(), d.payload());
            for (byte[] f : ipv4Fragments(udp, id, 256)) v4.add(new Frame(d.timestampNanos(), ethernet(f)));
            for (byte[] f : ipv6Fragments(udp, id, 256)) v6.add(new Frame(d.timestampNanos(), ethernet(f)));
            id++;
        }
        assertTrue(v4.size() > real.size(), "some datagrams are fragmented");
        Path whole = Captures.file("akvorado/extra/ipfix_v10_with_mpls_labels.pcap");
        assertEquals(0, decode("--count", whole.toString()), stderr());
        String want = out.toString(StandardCharsets.UTF_8);
        for (List<Frame> frames : List.of(v4, v6)) {
            Path file = dir.resolve("fragments.pcap");
            Files.write(file, pcapOf(ByteOrder.BIG_ENDIAN, true, 1, frames));
            out.reset();
            err.reset();
            assertEquals(0, decode("--count", file.toString()), stderr());
            assertEquals(want, out.toString(StandardCharsets.UTF_8), "the same datagrams, flows and no errors");
            assertTrue(stderr().contains("fragments: " + frames.size() + " read, "), stderr());
            assertTrue(stderr().contains(" dropped, 0 incomplete"), stderr());
        }
    }

    @Test
    void portSelectsTheCollectorPorts() {
        // goflow2's packets wrapped to their standard ports (captures/README.md): 2055 NetFlow v5, 6343 sFlow.
        String nfv5 = Captures.file("goflow2/nfv5.wrapped.pcap").toString();
        String sflow = Captures.file("goflow2/sflow-sample.wrapped.pcap").toString();
        assertEquals(0, decode("--port", "6343", nfv5, sflow), stderr());
        List<Map<String, Object>> flows = flows();
        assertTrue(!flows.isEmpty() && flows.stream().allMatch(f -> "SFLOW_5".equals(f.get("type"))), flows.toString());
        assertTrue(stderr().contains("skipped frames: other_port=1"), stderr());
        out.reset();
        assertEquals(0, decode("--count", "--port", "2055,6343", nfv5, sflow), stderr());
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("{\"datagrams\":2,"), out.toString());
        assertEquals(2, decode("--port", "70000", nfv5));
        assertTrue(stderr().contains("--port: 70000 is not a port number"), stderr());
    }

    @Test
    void configGivesTheSamplingRatesRunWouldUse() throws IOException {
        // akvorado's nfv5.pcap: the v5 header says sampling interval 0; the exporter is 10.19.144.41.
        Path config = dir.resolve("sluice.yaml");
        Files.writeString(config, """
                listeners:
                  - address: 0.0.0.0:2055
                sampling:
                  exporters:
                    10.19.144.41: 512
                """);
        String capture = Captures.file("akvorado/netflow/nfv5.pcap").toString();
        assertEquals(0, decode("--config", config.toString(), capture), stderr());
        List<Map<String, Object>> flows = flows();
        assertEquals(29, flows.size());
        assertTrue(flows.stream().allMatch(f -> Integer.valueOf(512).equals(f.get("sampling_rate"))), flows.get(0).toString());
        out.reset();
        assertEquals(0, decode(capture), stderr());
        assertTrue(flows().stream().noneMatch(f -> Integer.valueOf(512).equals(f.get("sampling_rate"))));
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "sampling: {default: -3}\n");
        assertEquals(2, decode("--config", bad.toString(), capture));
    }

    @Test
    void theSummaryCountsDataSetsStillWaitingForTheirTemplate() {
        // ipfixprobe-data.pcap alone: its one data set (template 258) needs ipfixprobe-templates.pcap.
        assertEquals(0, decode(Captures.file("akvorado/netflow/ipfixprobe-data.pcap").toString()), stderr());
        assertTrue(stderr().startsWith("decoded 1 datagrams, 0 flows; errors: none; waiting for a template: 1 data sets"),
                stderr());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void stdinIsDecodedAsItArrives() throws Exception {
        // The first datagram's flows are out while the pipe is still open, as with tcpdump -w - | sluice decode -.
        byte[] capture = Files.readAllBytes(Captures.file("akvorado/netflow/nfv5.pcap"));
        PipedOutputStream feeder = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(feeder, 1 << 16);
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> decode(stdin, "-"));
        feeder.write(capture);
        feeder.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (flowsSoFar() < 29 && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(29, flowsSoFar(), "the flows of the first datagram before the input ends");
        assertTrue(!run.isDone(), "still reading the open pipe");
        byte[] records = Arrays.copyOfRange(capture, 24, capture.length); // the same record again, no file header
        feeder.write(records);
        feeder.close();
        assertEquals(0, run.get(20, TimeUnit.SECONDS), stderr());
        assertEquals(58, flows().size());
        assertTrue(stderr().startsWith("decoded 2 datagrams, 58 flows"), stderr());
    }

    private int flowsSoFar() {
        String s = out.toString(StandardCharsets.UTF_8);
        return (int) s.chars().filter(c -> c == '\n').count();
    }

    /** A real pipe into a real process: `cat capture | sluice decode -`. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void stdinOfARealProcess() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.sluice.cli.Main", "decode", "--count", "-")
                .redirectError(dir.resolve("err.txt").toFile()).start();
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(Files.readAllBytes(Captures.file("akvorado/extra/ipfix_v10_with_mpls_labels.pcap")));
        }
        String count = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(50, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("err.txt")));
        assertEquals("{\"datagrams\":38,\"flows\":108,\"errors\":0}", count.trim()); // as decoding the file
        // Standard input that is not a capture is refused like a file.
        Process text = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.sluice.cli.Main", "decode", "-")
                .redirectInput(repoReadme().toFile()).redirectError(dir.resolve("err2.txt").toFile()).start();
        assertTrue(text.waitFor(50, TimeUnit.SECONDS));
        assertEquals(1, text.exitValue());
        assertTrue(Files.readString(dir.resolve("err2.txt")).contains("-: a text file, not a capture"));
    }

    @Test
    void progressLineSaysHowFarAndEndsItsLine() {
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        DecodeProgress progress = new DecodeProgress(e, "big.pcap", 4L << 30, 0);
        progress.update(1L << 30, 12345);
        progress.done();
        assertEquals("\rbig.pcap: 25% (1024.0 MiB of 4096.0 MiB), 12345 datagrams   \n", stderr());
        err.reset();
        DecodeProgress quiet = new DecodeProgress(e, "small.pcap", 100, DecodeProgress.INTERVAL_NS);
        quiet.update(50, 1);
        quiet.done();
        assertEquals("", stderr(), "nothing for a decode that ends within a second");
    }
}

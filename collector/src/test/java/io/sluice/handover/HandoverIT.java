package io.sluice.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.testing.BpfRequirement;
import io.sluice.testing.Captures;
import io.sluice.testing.ChildProcess;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.PinRoot;
import io.sluice.testing.OfflineDecode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The graceful restart through the real binaries: {@code bin/sluice run} processes (the packaged jar
 * and its lib/), a real Kafka broker, real sFlow datagrams of ../shared/bench replayed from one
 * source socket. Runs after {@code package} (maven-failsafe-plugin).
 */
class HandoverIT {
    private static final Pattern LISTENING = Pattern.compile("listening on /?[^ ]*:(\\d+) ");
    private static final Pattern DRAINED = Pattern.compile(
            "listener (\\S+): drained (\\d+) datagrams in (\\d+) ms after the stop; received (\\d+) in all");
    private static final Duration START = Duration.ofSeconds(60);
    private static KafkaBroker broker;
    private static List<CapturedDatagram> sflow;
    private static List<CapturedDatagram> ipfix;
    @PinRoot
    Path pinRoot;
    private final List<Path> temporary = new ArrayList<>();

    @BeforeAll
    static void brokerAndCapture() throws IOException {
        BpfRequirement.assumeBpf();
        sflow = CaptureReader.read(Captures.bench().resolve("pmacctd-sflow.pcap"));
        ipfix = CaptureReader.read(Captures.bench().resolve("pmacctd-ipfix.pcap"));
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) broker.close();
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Path p : temporary) Files.deleteIfExists(p);
    }

    static Path repositoryRoot() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("collector"))) return d;
        }
        throw new IllegalStateException("not inside the sluice repository: " + Path.of("").toAbsolutePath());
    }

    /** Flows `sluice decode` makes of the first {@code count} datagrams sent (the capture, cycled). */
    static long expectedFlows(List<CapturedDatagram> datagrams, int count) throws IOException {
        List<byte[]> sent = new ArrayList<>(count);
        for (int i = 0; i < count; i++) sent.add(datagrams.get(i % datagrams.size()).payload());
        return OfflineDecode.flows(sent);
    }

    private Path config(String topic, String steering, Path root) throws IOException {
        return config(topic, steering, root, "");
    }

    private Path config(String topic, String steering, Path root, String stateDir) throws IOException {
        return config(topic, steering, root, stateDir, 0);
    }

    /** {@code metricsPort}: one for both processes of a handover, as the systemd unit configures them. */
    private Path config(String topic, String steering, Path root, String stateDir, int metricsPort) throws IOException {
        Path file = Files.createTempFile("sluice-it-", ".yaml");
        temporary.add(file);
        Files.writeString(file, """
                listeners:
                  - {address: 127.0.0.1:0, protocol: auto, workers: 2, steering: %s}
                kafka: {bootstrap-servers: %s, topic: %s, counters-topic: %s-counters, drops-topic: %s-counters}
                metrics: {listen: 127.0.0.1:%d}
                handover: {pin-root: %s, state-dir: '%s'}
                """.formatted(steering, broker.bootstrapServers(), topic, topic, topic, metricsPort, root, stateDir));
        file.toFile().setReadable(true, false);
        return file;
    }

    private String newTopic() {
        String topic = "handover-" + System.nanoTime();
        broker.createTopic(topic, 2);
        broker.createTopic(topic + "-counters", 1);
        return topic;
    }

    private static ChildProcess sluice(List<String> prefix, Path config, String... extra) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(repositoryRoot().resolve("bin/sluice").toString());
        command.add("run");
        command.add("--config");
        command.add(config.toString());
        command.addAll(List.of(extra));
        return ChildProcess.start(command);
    }

    private static int listeningPort(ChildProcess p) throws InterruptedException {
        Matcher m = LISTENING.matcher(p.awaitContaining("SluiceService: listening on", START));
        assertTrue(m.find());
        return Integer.parseInt(m.group(1));
    }

    /** The drain line a process logs for its listener at exit: drained, ms, received. */
    private static long[] drained(ChildProcess p) {
        Matcher m = DRAINED.matcher(p.output());
        assertTrue(m.find(), "no drain line in:\n" + p.output());
        return new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3)), Long.parseLong(m.group(4))};
    }

    /**
     * The upgrade: process 1 serves, one exporter sends at a steady rate, process 2 starts on the
     * same address, takes over and stops process 1, which drains and exits 0. The flows in Kafka are
     * exactly the flows of the datagrams sent. Both processes run as in contrib/systemd/sluice@.service:
     * an unprivileged user holding only CAP_BPF and CAP_NET_ADMIN.
     */
    @Test
    void aSecondSluiceTakesOverWithoutLosingAFlow(@PinRoot(owner = PinRoot.NOBODY) Path unitPinRoot) throws Exception {
        handover(sflow, "random", "random", unitPinRoot);
    }

    /**
     * The same from a process on the kernel hash to one with eBPF, with IPFIX: the second process
     * starts with the first one's templates (the state dir's snapshot) and the first leaves the hash
     * when it stops.
     */
    @Test
    void fromTheKernelHashWithIpfixTemplates(@PinRoot(owner = PinRoot.NOBODY) Path unitPinRoot) throws Exception {
        String second = handover(ipfix, "hash", "random", unitPinRoot);
        assertTrue(second.contains("restored ") && second.contains(" templates and sampling values from "), second);
    }

    /**
     * @param pinRoot on a private bpffs owned by nobody, as the unit's privileged ExecStartPre prepares
     *     /sys/fs/bpf/sluice
     * @return the second process's output
     */
    private String handover(List<CapturedDatagram> datagrams, String firstSteering, String secondSteering, Path pinRoot)
            throws Exception {
        List<String> unit = unitPrivileges();
        Path stateDir = Files.createTempDirectory("sluice-it-state-");
        Files.setAttribute(stateDir, "unix:uid", PinRoot.NOBODY);
        temporary.add(stateDir.resolve("templates.snapshot"));
        temporary.add(stateDir);
        String topic = newTopic();
        int metricsPort;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            metricsPort = free.getLocalPort();
        }
        Path config = config(topic, firstSteering, pinRoot, stateDir.toString(), metricsPort);
        // datagrams/s (~12k flows/s): one process sustains it without drops here; -Dsluice.handover.rate= for a
        // heavier look (not in make test: the zero-loss limit depends on what else the machine runs)
        int rate = Integer.getInteger("sluice.handover.rate", 2_000);
        try (ChildProcess first = sluice(unit, config)) {
            int port = listeningPort(first);
            AtomicLong sent = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            // The capture, cycled, until told to stop: however long the second JVM takes to start.
            Thread sender = Thread.ofPlatform().name("exporter").start(() -> {
                try {
                    replay(datagrams, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Integer.MAX_VALUE, rate, sent, stop);
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            try {
                Thread.sleep(1000);
                long t0 = System.nanoTime();
                try (ChildProcess second = sluice(unit, config, "--set", "listeners[0].address=127.0.0.1:" + port,
                        "--set", "listeners[0].steering=" + secondSteering, "--set", "handover.warm-up=1s")) {
                    assertEquals(port, listeningPort(second));
                    assertEquals(0, first.awaitExit(Duration.ofSeconds(60)), first.output());
                    long switchMs = (System.nanoTime() - t0) / 1_000_000;
                    Thread.sleep(1500); // the second process alone
                    stop.set(true);
                    sender.join();
                    assertEquals(null, failure.get());
                    long total = sent.get();
                    long expected = expectedFlows(datagrams, (int) total);
                    long inKafka = broker.awaitRecordCount(topic, expected, Duration.ofSeconds(60));
                    second.signal("TERM");
                    assertEquals(0, second.awaitExit(Duration.ofSeconds(60)), second.output());
                    inKafka = broker.recordCount(topic);
                    long[] one = drained(first);
                    long[] two = drained(second);
                    System.out.println("--- first:\n" + first.output() + "--- second:\n" + second.output());
                    System.out.printf("HandoverIT %s -> %s: %d datagrams at %d/s from one source, %d flows expected, %d in "
                            + "Kafka; first received %d (drained %d in %d ms after SIGTERM), second received %d; second started "
                            + "to first exited: %d ms%n", firstSteering, secondSteering, total, rate, expected, inKafka, one[2],
                            one[0], one[1], two[2], switchMs);
                    assertTrue(one[2] > 0 && two[2] > 0, "both received");
                    assertEquals(total, one[2] + two[2], "every datagram sent was received by one of them");
                    assertEquals(expected, inKafka, "the flows in Kafka are exactly the flows sent");
                    assertTrue(second.output().contains("took over from pid " + first.pid()), second.output());
                    assertTrue(second.output().contains("warm-up before taking over: "), "the successor warmed up first:\n" + second.output());
                    assertTrue(second.output().contains("no datagram dropped by its sockets until the previous sluice exited"),
                            "the successor says what its sockets dropped while taking over:\n" + second.output());
                    assertTrue(second.output().contains("pinned the socket map and the owner record"), second.output());
                    assertTrue(second.output().contains("metrics on http://127.0.0.1:" + metricsPort
                            + "/metrics, health on /healthz (bound after the previous sluice exited)"), second.output());
                    return second.output();
                }
            } finally {
                stop.set(true);
                sender.join();
            }
        }
    }

    /** SIGTERM with no successor: the datagrams queued in the sockets at the signal reach Kafka. */
    @Test
    void sigtermAloneDeliversWhatTheSocketsHold() throws Exception {
        String topic = newTopic();
        int burst = 2_000;
        long expected = expectedFlows(sflow, burst);
        try (ChildProcess only = sluice(List.of(), config(topic, "random", pinRoot))) {
            int port = listeningPort(only);
            only.signal("STOP"); // frozen: the whole burst waits in the socket buffers
            replay(sflow, new InetSocketAddress(InetAddress.getLoopbackAddress(), port), burst, 0, new AtomicLong());
            assertTrue(UdpTables.queuedDatagramsBytes(port) > 0, "queued at the signal");
            assertEquals(0, UdpTables.drops(port), "the burst fits the receive buffers");
            only.signal("TERM");
            only.signal("CONT");
            assertEquals(0, only.awaitExit(Duration.ofSeconds(60)), only.output());
            long[] d = drained(only);
            System.out.printf("HandoverIT: SIGTERM alone: drained %d datagrams in %d ms, %d flows in Kafka of %d expected%n",
                    d[0], d[1], broker.recordCount(topic), expected);
            assertEquals(burst, d[2]);
            assertEquals(expected, broker.awaitRecordCount(topic, expected, Duration.ofSeconds(30)));
        }
    }

    /** kill -9 leaves the pins; the next start says they are stale, replaces them, and removes its own at exit. */
    @Test
    void aCrashedSluicesPinsAreReplacedByTheNextStart() throws Exception {
        String topic = newTopic();
        Path config = config(topic, "random", pinRoot);
        long crashed;
        int port;
        try (ChildProcess crashing = sluice(List.of(), config)) {
            port = listeningPort(crashing);
            crashed = crashing.pid();
            crashing.signal("KILL");
            crashing.awaitExit(Duration.ofSeconds(30));
        }
        PinDirectory dir = PinDirectory.of(pinRoot, "127.0.0.1:" + port); // named after the bound address
        assertEquals(crashed, OwnerRecord.read(dir.owner()).orElseThrow().pid(), "kill -9 leaves the owner record");
        try (ChildProcess next = sluice(List.of(), config, "--set", "listeners[0].address=127.0.0.1:" + port)) {
            listeningPort(next);
            assertTrue(next.output().contains("stale pins under " + dir + " from pid " + crashed), next.output());
            OwnerRecord owner = OwnerRecord.read(dir.owner()).orElseThrow();
            assertEquals(next.pid(), owner.pid(), "the pins are the new process's");
            next.signal("TERM");
            assertEquals(0, next.awaitExit(Duration.ofSeconds(60)), next.output());
        }
        assertFalse(Files.exists(dir.owner()), "removed at exit");
    }

    /**
     * setpriv prefix running like the systemd unit: user nobody, only CAP_BPF and CAP_NET_ADMIN
     * (ambient, so they survive the exec of the JVM). The pins go to a {@code @PinRoot(owner = NOBODY)}.
     */
    private static List<String> unitPrivileges() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed");
        return List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "--inh-caps=-all," + HandoverCapabilitiesTest.CAPS, "--ambient-caps=-all," + HandoverCapabilitiesTest.CAPS,
                "--bounding-set=-all," + HandoverCapabilitiesTest.CAPS, "--");
    }

    /** Sends {@code count} datagrams of the capture (cycled) from one socket; rate 0 = as fast as possible. */
    static void replay(List<CapturedDatagram> datagrams, InetSocketAddress target, int count, int rate, AtomicLong sent)
            throws IOException {
        replay(datagrams, target, count, rate, sent, new AtomicBoolean());
    }

    /** The same, ending early when {@code stop} is set. */
    static void replay(List<CapturedDatagram> datagrams, InetSocketAddress target, int count, int rate, AtomicLong sent,
            AtomicBoolean stop) throws IOException {
        try (DatagramChannel channel = DatagramChannel.open()) {
            channel.connect(target);
            long t0 = System.nanoTime();
            for (int i = 0; i < count && !stop.get(); i++) {
                if (rate > 0) {
                    long due = t0 + (long) i * 1_000_000_000L / rate;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) LockSupport.parkNanos(Math.min(wait, 1_000_000));
                }
                channel.write(ByteBuffer.wrap(datagrams.get(i % datagrams.size()).payload()));
                sent.incrementAndGet();
            }
        }
    }
}

package io.sluice.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.service.ReuseportReceivePath;
import io.sluice.service.SluiceService;
import io.sluice.service.StandardDecoders;
import io.sluice.steering.BpfObjectSource;
import io.sluice.testing.BpfRequirement;
import io.sluice.testing.MetricsScrape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard through the running service: configured per listener, its figures on /metrics, a reload
 * that changes the lists in place, one that would need another program refused, and the start-up
 * refusal (or the user-space fallback) when the kernel refuses the program. Real sockets, real BPF;
 * the kernel's refusal is the verifier's, on collector/src/test/bpf/refused.bpf.c.
 */
class GuardServiceTest {
    @TempDir
    Path dir;

    private String[] args(Path config) {
        return new String[] {"--config", config.toString(), "--output.type=none", "--metrics.listen=127.0.0.1:0"};
    }

    private Path write(String yaml) throws Exception {
        Path f = dir.resolve("sluice.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static String listener(String steering, String guard) {
        return "listeners:\n  - address: 127.0.0.1:0\n    workers: 2\n    steering: " + steering + "\n" + guard;
    }

    @Test
    void theListsAreEnforcedCountedOnMetricsAndReloadedInPlace() throws Exception {
        BpfRequirement.assumeBpf();
        Path config = write(listener("random", "    allow: [127.0.0.2/32]\n"));
        SluiceConfig c = ConfigLoader.load(args(config));
        try (SluiceService service = SluiceService.start(c);
                Sources.Sender allowed = new Sources.Sender("127.0.0.2", service.listenerAddress(0));
                Sources.Sender other = new Sources.Sender("127.0.0.3", service.listenerAddress(0))) {
            String base = "http://127.0.0.1:" + service.metricsPort();
            for (int i = 0; i < 500; i++) {
                allowed.send();
                other.send();
            }
            MetricsScrape m = await(base, s -> s.sum("sluice_packets_received_total") + s.sum("sluice_kernel_dropped_total"), 1000);
            assertEquals(500, m.sum("sluice_packets_received_total"));
            assertEquals(500, m.sum("sluice_kernel_dropped_total", "reason", "not_allowed"));
            assertEquals(0, m.sum("sluice_kernel_dropped_total", "reason", "rate_limited"));
            Thread.sleep(1_100); // the top-offender figures are read from the kernel at most once a second
            assertEquals(500, MetricsScrape.get(base).sum("sluice_guard_top_offender_dropped", "source", "127.0.0.3", "reason", "not_allowed"));
            assertEquals(0, m.sum("sluice_socket_drops_total"));

            // SIGHUP's path: the file re-read with the same flags, the maps updated in place
            write(listener("random", "    allow: [127.0.0.2/32, 127.0.0.3]\n    rate-limit: {datagrams-per-second: 100000, burst: 1000}\n"));
            service.reload(ConfigLoader.load(args(config)));
            assertEquals(2, service.guards().getFirst().rules().allow().size());
            for (int i = 0; i < 500; i++) {
                allowed.send();
                other.send();
            }
            m = await(base, s -> s.sum("sluice_packets_received_total") + s.sum("sluice_kernel_dropped_total"), 2000);
            assertEquals(1500, m.sum("sluice_packets_received_total"), "after the reload 127.0.0.3 is allowed");
            assertEquals(500, m.sum("sluice_kernel_dropped_total"));
        }
    }

    @Test
    void aReloadThatNeedsAnotherProgramIsRefusedAndChangesNothing() throws Exception {
        Path config = write(listener("hash", ""));
        SluiceConfig c = ConfigLoader.load(args(config));
        try (SluiceService service = SluiceService.start(c)) {
            write(listener("hash", "    allow: [192.0.2.0/24]\n"));
            ConfigException e = assertThrows(ConfigException.class, () -> service.reload(ConfigLoader.load(args(config))));
            System.out.println(e.getMessage());
            assertTrue(e.getMessage().contains("listeners[0].allow") && e.getMessage().contains("needs a restart"), e.getMessage());
            assertEquals(null, service.guards().getFirst().rules().allow());
        }
    }

    private static BpfObjectSource refusedProgram() throws Exception {
        Path refused = Path.of(GuardServiceTest.class.getClassLoader().getResource("bpf/refused.bpf.o").toURI());
        return BpfObjectSource.file(refused);
    }

    @Test
    void anAllowListTheKernelCannotEnforceRefusesToStart() throws Exception {
        BpfRequirement.assumeBpf(); // then the refusal is the verifier's
        Path config = write(listener("random", "    allow: [127.0.0.2/32]\n"));
        SluiceConfig c = ConfigLoader.load(args(config));
        ConfigException e = assertThrows(ConfigException.class, () -> SluiceService.start(c, refusedProgram()));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("listeners[0].allow") && e.getMessage().contains("refusing to open a port meant to be closed")
                && e.getMessage().contains("verifier"), e.getMessage());
    }

    @Test
    void aRateLimitAloneFallsBackToTheHashUnenforced() throws Exception {
        BpfRequirement.assumeBpf();
        Path config = write(listener("random", "    rate-limit: {datagrams-per-second: 100}\n"));
        SluiceConfig c = ConfigLoader.load(args(config));
        try (SluiceService service = SluiceService.start(c, refusedProgram())) {
            MetricsScrape m = MetricsScrape.get("http://127.0.0.1:" + service.metricsPort());
            assertEquals(0, m.sum("sluice_ebpf_loaded"), "on the kernel hash");
            assertEquals(null, service.guards().getFirst().rules().allow());
            write(listener("random", "    allow: [127.0.0.2/32]\n"));
            ConfigException e = assertThrows(ConfigException.class, () -> service.reload(ConfigLoader.load(args(config))));
            assertTrue(e.getMessage().contains("runs without a BPF program"), e.getMessage());
        }
    }

    @Test
    void withUserSpaceFallbackTheWorkersFilterAndCount() throws Exception {
        BpfRequirement.assumeBpf();
        Path config = write(listener("random", "    allow: [127.0.0.2/32]\n    guard-fallback: user-space\n"));
        SluiceConfig c = ConfigLoader.load(args(config));
        try (SluiceService service = SluiceService.start(c, refusedProgram());
                Sources.Sender allowed = new Sources.Sender("127.0.0.2", service.listenerAddress(0));
                Sources.Sender other = new Sources.Sender("127.0.0.3", service.listenerAddress(0))) {
            assertTrue(service.guards().getFirst().inUserSpace());
            String base = "http://127.0.0.1:" + service.metricsPort();
            for (int i = 0; i < 300; i++) {
                allowed.send();
                other.send();
            }
            MetricsScrape m = await(base, s -> s.sum("sluice_packets_received_total"), 600);
            assertEquals(600, m.sum("sluice_packets_received_total"), "user space: every datagram is received");
            assertEquals(300, m.sum("sluice_userspace_guard_dropped_total", "reason", "not_allowed"));
            assertEquals(0, m.sum("sluice_kernel_dropped_total"));
            assertEquals(300, m.sum("sluice_datagrams_decoded_total") + m.sum("sluice_decode_errors_total"),
                    "only the allowed ones reach the decoder");

            write(listener("random", "    allow: [127.0.0.3/32]\n    guard-fallback: user-space\n"));
            service.reload(ConfigLoader.load(args(config)));
            for (int i = 0; i < 300; i++) allowed.send();
            m = await(base, s -> s.sum("sluice_userspace_guard_dropped_total"), 600);
            assertEquals(600, m.sum("sluice_userspace_guard_dropped_total"), "the reloaded list refuses 127.0.0.2 now");
        }
    }

    private interface Figure {
        long of(MetricsScrape m);
    }

    private static MetricsScrape await(String base, Figure figure, long expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        MetricsScrape m;
        do {
            m = MetricsScrape.get(base);
            if (figure.of(m) >= expected) break;
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return m;
    }
}

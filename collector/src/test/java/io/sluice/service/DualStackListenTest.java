package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.testing.BpfRequirement;
import io.sluice.testing.MetricsScrape;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code :port} listens on every IPv6 and IPv4 address (one dual-stack socket group, IPv4 arriving
 * v4-mapped) with the eBPF program steering it; an explicit IPv4 address stays IPv4-only.
 */
class DualStackListenTest {
    private static final int PER_FAMILY = 50;

    private static SluiceService start(String address) throws Exception {
        SluiceConfig config = ConfigLoader.load(new String[] {"--config", "/dev/null", "--listeners[0].address=" + address,
                "--listeners[0].workers=2", "--output.type=none", "--metrics.listen=127.0.0.1:0", "--handover.enabled=false"});
        return SluiceService.start(config);
    }

    private static void send(InetAddress to, int port, int count) throws Exception {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(to, 0))) {
            byte[] junk = {0, 99, 0, 0}; // not a flow protocol: counted as received, then as a decode error
            for (int i = 0; i < count; i++) s.send(new DatagramPacket(junk, junk.length, to, port));
        }
    }

    private static long received(SluiceService service, long expected) throws Exception {
        String base = "http://127.0.0.1:" + service.metricsPort();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long n;
        while ((n = MetricsScrape.get(base).sum("sluice_packets_received_total")) < expected && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        return n;
    }

    @Test
    void colonPortReceivesIpv6AndIpv4WithTheProgramSteering() throws Exception {
        BpfRequirement.assumeBpf();
        try (SluiceService service = start(":0")) {
            InetSocketAddress bound = service.listenerAddress(0);
            assertEquals(InetAddress.getByName("::"), bound.getAddress(), "bound to [::]");
            send(InetAddress.getByName("127.0.0.1"), bound.getPort(), PER_FAMILY);
            send(InetAddress.getByName("::1"), bound.getPort(), PER_FAMILY);
            assertEquals(2 * PER_FAMILY, received(service, 2 * PER_FAMILY));
            MetricsScrape m = MetricsScrape.get("http://127.0.0.1:" + service.metricsPort());
            assertEquals(1, m.sum("sluice_ebpf_loaded"), "the sk_reuseport program steers the dual-stack group");
        }
    }

    @Test
    void explicitIpv4AddressStaysIpv4Only() throws Exception {
        try (SluiceService service = start("0.0.0.0:0")) {
            int port = service.listenerAddress(0).getPort();
            send(InetAddress.getByName("127.0.0.1"), port, PER_FAMILY);
            assertEquals(PER_FAMILY, received(service, PER_FAMILY));
            send(InetAddress.getByName("::1"), port, PER_FAMILY); // nothing listens on ::1 at that port
            Thread.sleep(300);
            assertEquals(PER_FAMILY, MetricsScrape.get("http://127.0.0.1:" + service.metricsPort()).sum("sluice_packets_received_total"));
            assertTrue(service.listenerAddress(0).getAddress() instanceof java.net.Inet4Address);
        }
    }
}

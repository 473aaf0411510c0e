package io.sluice.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.Protocol;
import io.sluice.output.DropReason;
import io.sluice.output.OutputStats;
import io.sluice.testing.MetricsScrape;
import io.sluice.worker.ReceiveStats;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Every metric the issue names, scraped over real HTTP, reading the workers' own counters. */
class MetricsServerTest {

    @Test
    void scrapeReadsWorkerCountersAndHealthFollowsTheService() throws Exception {
        ServiceMetrics metrics = new ServiceMetrics(new PrometheusRegistry(), true);
        ReceiveStats receive = new ReceiveStats();
        DecodeStats decode = new DecodeStats();
        OutputStats output = new OutputStats();
        metrics.addWorker(new WorkerCounters("0.0.0.0:2055", 3, receive, () -> 42, decode, output));
        metrics.addListener("0.0.0.0:2055", () -> true);
        metrics.setTemplateStats(new TemplateStoreStats() {
            public long templates() { return 5; }
            public long pendingTemplateSets() { return 2; }
            public long pendingTemplateExpired() { return 1; }
            public long templatesRefused() { return 4; }
        });
        AtomicBoolean healthy = new AtomicBoolean(false);
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), metrics.registry(),
                () -> new MetricsServer.Health(healthy.get(), "kafka: no metadata"))) {
            String base = "http://127.0.0.1:" + server.port();
            receive.received(100);
            receive.received(50);
            receive.truncatedDatagram();
            receive.handlerError();
            decode.flows(Protocol.IPFIX, 7);
            decode.error(DecodeError.TRUNCATED);
            output.flowsSent(6);
            output.dropped(DropReason.BUFFER_FULL, 1);
            output.error();

            MetricsScrape s = MetricsScrape.get(base);
            String[] w = {"listener", "0.0.0.0:2055", "worker", "3"};
            assertEquals(2, s.sum("sluice_packets_received_total", w));
            assertEquals(150, s.sum("sluice_bytes_received_total", w));
            assertEquals(42, s.sum("sluice_socket_drops_total", w));
            assertEquals(7, s.sum("sluice_flows_decoded_total", "protocol", "ipfix"));
            assertEquals(1, s.sum("sluice_decode_errors_total", "reason", "truncated"));
            assertEquals(6, s.sum("sluice_kafka_records_sent_total", w));
            assertEquals(1, s.sum("sluice_kafka_errors_total", w));
            assertEquals(1, s.sum("sluice_flows_dropped_total", "reason", "buffer_full"));
            assertEquals(5, s.sum("sluice_templates"));
            assertEquals(2, s.sum("sluice_pending_template_sets"));
            assertEquals(1, s.sum("sluice_pending_template_expired_total"));
            assertEquals(4, s.sum("sluice_templates_refused_total"));
            assertEquals(1, s.sum("sluice_receive_truncated_total", w));
            assertEquals(1, s.sum("sluice_handler_errors_total", w));
            assertEquals(1, s.sum("sluice_ebpf_loaded"));
            assertTrue(s.has("jvm_memory_used_bytes"), "JVM metrics");

            assertEquals(503, MetricsScrape.status(base + "/healthz"));
            healthy.set(true);
            assertEquals(200, MetricsScrape.status(base + "/healthz"));
            assertEquals(404, MetricsScrape.status(base + "/nope"));
        }
    }

    /** Idle clients (connected, sending nothing) do not hold /healthz: each exchange has its own thread. */
    @Test
    void idleConnectionsDoNotBlockHealth() throws Exception {
        ServiceMetrics metrics = new ServiceMetrics(new PrometheusRegistry(), false);
        MetricsServer server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), metrics.registry(),
                () -> new MetricsServer.Health(true, ""));
        {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 32; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
                    idle.add(s);
                    if (i % 2 == 1) { // a slow client: a request that never ends
                        s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                        s.getOutputStream().flush();
                    }
                }
                long t0 = System.nanoTime();
                try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                    probe.setSoTimeout(2000); // a read that waits longer fails the test
                    probe.getOutputStream().write("GET /healthz HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    String status = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                    assertEquals("HTTP/1.1 200 OK", status, "answered beside 16 idle and 16 slow connections");
                }
                System.out.printf("/healthz beside 32 idle or slow connections answered in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
                // and they do not hold the stop either (client_java's own pool waited 76 s for them here)
                Thread closing = Thread.ofPlatform().start(server::close);
                closing.join(10_000);
                assertFalse(closing.isAlive(), "the endpoint closes beside idle clients");
            } finally {
                for (Socket s : idle) s.close();
                server.close();
            }
        }
    }
}

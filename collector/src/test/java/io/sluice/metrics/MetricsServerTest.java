package io.sluice.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.Protocol;
import io.sluice.output.DropReason;
import io.sluice.output.OutputStats;
import io.sluice.testing.MetricsScrape;
import io.sluice.worker.ReceiveStats;
import java.net.InetAddress;
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
}

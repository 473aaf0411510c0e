package io.sluice.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The HTTP endpoint operators scrape: client_java's HTTPServer serving {@code /metrics}, plus
 * {@code /healthz} (200 when healthy, 503 with the reason otherwise). client_java routes every path it
 * does not serve to its default handler, which is where /healthz is answered.
 */
public final class MetricsServer implements AutoCloseable {

    /** The service's health: {@code detail} says what is wrong when not ok. */
    public record Health(boolean ok, String detail) {}

    /**
     * The JDK server reads a request on an executor thread, from accept on: with client_java's default
     * pool (10 threads) 16 idle TCP connections held /healthz for 56 s. So every exchange gets a virtual
     * thread of its own (an idle client costs a parked virtual thread, not a pool slot), and the JDK's
     * own bounds close a client that sends no complete request, or reads no response, within 10 s. The
     * properties are read once when the JDK server class loads; an operator's -D value wins.
     */
    static {
        setDefault("sun.net.httpserver.maxReqTime", "10");
        setDefault("sun.net.httpserver.maxRspTime", "10");
    }

    private static void setDefault(String property, String value) {
        if (System.getProperty(property) == null) System.setProperty(property, value);
    }

    private final HTTPServer server;

    private MetricsServer(HTTPServer server) {
        this.server = server;
    }

    public static MetricsServer start(InetSocketAddress address, PrometheusRegistry registry, Supplier<Health> health) throws IOException {
        return start(address, registry, health, java.util.Map.of());
    }

    /** @param json operator endpoints (path → JSON body built per request), e.g. /exporters and /templates */
    public static MetricsServer start(InetSocketAddress address, PrometheusRegistry registry, Supplier<Health> health,
                                      java.util.Map<String, Supplier<String>> json) throws IOException {
        HTTPServer server = HTTPServer.builder()
                .inetAddress(address.getAddress())
                .port(address.getPort())
                .registry(registry)
                .defaultHandler(exchange -> handleDefault(exchange, health, json))
                .executorService(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("sluice-http-", 0).factory()))
                .buildAndStart();
        return new MetricsServer(server);
    }

    private static void handleDefault(HttpExchange exchange, Supplier<Health> health,
                                      java.util.Map<String, Supplier<String>> json) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            int status;
            String body;
            String type = "text/plain; charset=utf-8";
            if (json.containsKey(path)) {
                status = 200;
                body = json.get(path).get();
                type = "application/json";
            } else if (path.equals("/healthz")) {
                Health h = health.get();
                status = h.ok() ? 200 : 503;
                // ok with a detail: serving, but something is degraded (e.g. the template share's topic)
                body = (h.ok() ? (h.detail().isEmpty() ? "ok" : "ok, degraded: " + h.detail()) : "unhealthy: " + h.detail()) + "\n";
            } else if (path.equals("/")) {
                status = 200;
                body = "sluice: /metrics, /healthz" + (json.isEmpty() ? "" : ", " + String.join(", ", new java.util.TreeSet<>(json.keySet()))) + "\n";
            } else {
                status = 404;
                body = "not found\n";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}

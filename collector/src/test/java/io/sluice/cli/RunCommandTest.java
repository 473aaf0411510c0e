package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.testing.LogCapture;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** `sluice run` refuses what cannot work, before reading a datagram, with the key and the problem. */
class RunCommandTest {

    private record Result(int code, String out, String err) {}

    /** Runs `sluice run`; {@code err} holds its stderr and, after it, its log lines (where `run` reports a failed start). */
    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (LogCapture log = LogCapture.start()) {
            int code = RunCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + log.text());
        }
    }

    @Test
    void badConfigurationsExitTwoNamingTheKey() {
        Result unknown = run("--config", "/dev/null", "--listeners[0].address=127.0.0.1:0", "--kafka.topik=x");
        assertEquals(2, unknown.code);
        assertTrue(unknown.err.contains("invalid configuration: kafka.topik: unknown key"), unknown.err);

        Result address = run("--config", "/dev/null", "--listeners[0].address=localhost");
        assertEquals(2, address.code);
        assertTrue(address.err.contains("listeners[0].address: 'localhost' is not host:port"), address.err);

        Result zero = run("--listeners[0].workers=0");
        assertEquals(2, zero.code);
        assertTrue(zero.err.contains("listeners[0].workers: must be between 1 and 256, got 0"), zero.err);

        Result many = run("--listeners[1].workers=300");
        assertEquals(2, many.code);
        assertTrue(many.err.contains("listeners[1].workers: must be between 1 and 256, got 300"), many.err);
    }

    @Test
    void unreachableBrokerStopsStartupWithinTheTimeout() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        long t0 = System.nanoTime();
        Result r = run("--config", "/dev/null", "--listeners[0].address=127.0.0.1:0",
                "--kafka.bootstrap-servers=127.0.0.1:" + port, "--kafka.startup-timeout=1s", "--metrics.listen=127.0.0.1:0");
        assertEquals(2, r.code);
        assertTrue(r.err.contains("cannot start: kafka.bootstrap-servers: no Kafka broker answered at 127.0.0.1:" + port), r.err);
        assertTrue(System.nanoTime() - t0 < 15_000_000_000L, "bounded wait");
    }

    @Test
    void addressInUseIsNamed() throws Exception {
        try (java.nio.channels.DatagramChannel busy = java.nio.channels.DatagramChannel.open()) {
            busy.bind(new java.net.InetSocketAddress("127.0.0.1", 0)); // no SO_REUSEPORT: the group cannot join
            int port = ((java.net.InetSocketAddress) busy.getLocalAddress()).getPort();
            Result r = run("--config", "/dev/null", "--listeners[0].address=127.0.0.1:" + port, "--output.type=none",
                    "--metrics.listen=127.0.0.1:0");
            assertEquals(2, r.code);
            assertTrue(r.err.contains("listeners[0].address: cannot listen on 127.0.0.1:" + port), r.err);
        }
    }

    @Test
    void helpAndDefaultConfig() {
        Result help = run("--help");
        assertEquals(0, help.code);
        assertTrue(help.out.contains("Usage: sluice run"), help.out);
        Result dflt = run("--print-default-config");
        assertEquals(0, dflt.code);
        assertTrue(dflt.out.contains("\":6343\""), dflt.out);
    }
}

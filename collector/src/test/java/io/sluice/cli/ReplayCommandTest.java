package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.testing.Captures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replay over a real loopback UDP socket: every payload arrives, in order, from one source port. */
class ReplayCommandTest {

    @Test
    void sendsEveryPayloadInOrderFromOneSourceAtTheRequestedRate() throws Exception {
        Path file = Captures.file("akvorado/extra/ipfix_v10_with_mpls_labels.pcap");
        List<CapturedDatagram> expected = CaptureReader.read(file);
        int loops = 2;
        try (DatagramChannel receiver = DatagramChannel.open()) {
            receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            receiver.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 1 << 20);
            int port = ((InetSocketAddress) receiver.getLocalAddress()).getPort();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = ReplayCommand.run(new String[] {"--to", "127.0.0.1:" + port, "--rate", "2000", "--loop", String.valueOf(loops), file.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
            assertEquals(0, rc);
            String printed = out.toString(StandardCharsets.UTF_8);
            int n = expected.size() * loops;
            assertTrue(printed.startsWith("sent " + n + " datagrams"), printed);

            receiver.configureBlocking(false);
            ByteBuffer buf = ByteBuffer.allocate(65536);
            List<byte[]> got = new ArrayList<>();
            java.util.Set<Integer> sourcePorts = new java.util.HashSet<>();
            InetSocketAddress from;
            while ((from = (InetSocketAddress) receiver.receive(buf.clear())) != null) {
                byte[] b = new byte[buf.flip().remaining()];
                buf.get(b);
                got.add(b);
                sourcePorts.add(from.getPort());
            }
            assertEquals(n, got.size());
            assertEquals(1, sourcePorts.size(), "one source socket");
            for (int i = 0; i < n; i++) assertArrayEquals(expected.get(i % expected.size()).payload(), got.get(i));
            // 76 datagrams at 2000/s take ≥ 37.5 ms: the pacing holds them back (never an upper bound here)
            double seconds = Double.parseDouble(printed.replaceAll("(?s).* in ([0-9.]+) s.*", "$1"));
            assertTrue(seconds >= (n - 1) / 2000.0 * 0.95, "paced: " + printed);
        }
    }

    @Test
    void badArgumentsAreRefusedWithUsage() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        assertEquals(2, ReplayCommand.run(new String[] {"x.pcap"}, System.out, e));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("--to HOST:PORT is required"));
        assertEquals(2, ReplayCommand.run(new String[] {"--to", "127.0.0.1:0", "x.pcap"}, System.out, e));
        assertEquals(2, ReplayCommand.run(new String[] {"--to", "127.0.0.1:9", "--loop", "0", "x.pcap"}, System.out, e));
        assertEquals(2, ReplayCommand.run(new String[] {"--to", "127.0.0.1:9", "--rate", "-1", "x.pcap"}, System.out, e));
    }
}

package io.sluice.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.testing.UdpSender;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReuseportSocketGroupTest {

    @Test
    void socketsShareTheFirstSocketsEphemeralPort() throws Exception {
        for (String address : new String[] {"127.0.0.1", "::1"}) {
            try (ReuseportSocketGroup g = ReuseportSocketGroup.open(
                    new InetSocketAddress(InetAddress.getByName(address), 0), 4, 0)) {
                assertNotEquals(0, g.port());
                Set<Integer> fds = new HashSet<>();
                for (int i = 0; i < g.size(); i++) {
                    assertEquals(g.localAddress(), g.channel(i).getLocalAddress());
                    assertTrue(g.channel(i).getOption(StandardSocketOptions.SO_REUSEPORT));
                    fds.add(g.fd(i));
                }
                assertEquals(4, fds.size());
                assertEquals(InetAddress.getByName(address), g.localAddress().getAddress());
            }
        }
    }

    @Test
    void receiveBufferIsForcedBeyondRmemMaxWhenPrivileged() throws Exception {
        // readAllLines, not readString: /proc files report size 0 and readString can come back short.
        long rmemMax = Long.parseLong(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/core/rmem_max")).get(0).trim());
        int wanted = (int) Math.min(Integer.MAX_VALUE / 4, rmemMax * 2);
        try (ReuseportSocketGroup g = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2, wanted)) {
            if (g.receiveBufferForced()) {
                // The kernel reports twice what was set.
                assertEquals(2L * wanted, g.effectiveReceiveBufferBytes(0));
                assertTrue(g.effectiveReceiveBufferBytes(1) > rmemMax);
            } else {
                assertTrue(g.effectiveReceiveBufferBytes(0) <= 2 * rmemMax);
            }
        }
    }

    @Test
    void closeClosesEverySocket() throws Exception {
        ReuseportSocketGroup g = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 3, 0);
        g.close();
        g.close();
        for (int i = 0; i < g.size(); i++) assertFalse(g.channel(i).isOpen());
    }

    @Test
    void kernelDropsAreReadPerSocket() throws Exception {
        for (String address : new String[] {"127.0.0.1", "::1"}) {
            kernelDropsAreReadPerSocket(InetAddress.getByName(address));
        }
    }

    private void kernelDropsAreReadPerSocket(InetAddress address) throws Exception {
        // Sockets with the smallest receive buffer and nobody reading: the kernel must drop.
        try (ReuseportSocketGroup g = ReuseportSocketGroup.open(new InetSocketAddress(address, 0), 2, 1)) {
            SocketDrops drops = SocketDrops.of(g);
            assertEquals(0, drops.total());
            int receiving = -1;
            // Find which socket the hash gives this sender, then overflow it.
            try (UdpSender s = new UdpSender(g.localAddress(), 1000)) {
                int sent = 200;
                for (int i = 0; i < sent; i++) s.send();
                long[] d = drops.read();
                ByteBuffer buf = ByteBuffer.allocate(2000);
                long received = 0;
                for (int i = 0; i < g.size(); i++) {
                    g.channel(i).configureBlocking(false);
                    while (g.channel(i).receive(buf.clear()) != null) {
                        received++;
                        receiving = i;
                    }
                }
                long dropped = d[0] + d[1];
                assertTrue(dropped > 0, "expected drops: " + java.util.Arrays.toString(d));
                assertEquals(sent, received + dropped, "every datagram is either received or counted as dropped");
                assertEquals(dropped, d[receiving]);
            }
        }
    }
}

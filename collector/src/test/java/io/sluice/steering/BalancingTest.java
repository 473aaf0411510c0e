package io.sluice.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.testing.BpfRequirement;
import io.sluice.testing.UdpSender;
import io.sluice.worker.DatagramHandler;
import io.sluice.worker.ReceiveOptions;
import io.sluice.worker.WorkerPool;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The article's balancing test through sluice's own classes: 10 reuseport sockets, 10,000 datagrams
 * from one source socket to 127.0.0.1 (one 4-tuple). With the BPF program every socket gets within
 * ±25% of the mean; with the kernel hash one socket gets (nearly) everything.
 */
class BalancingTest {
    static final int SOCKETS = 10;
    static final int DATAGRAMS = 10_000;
    static final int RCVBUF = 4 << 20;

    @Test
    void randomSpreadsOneSourceEvenly() throws Exception {
        BpfRequirement.assumeBpf();
        long[] perSocket = run(SteeringMode.RANDOM, "127.0.0.1");
        assertBalanced(perSocket);
    }

    @Test
    void roundRobinSpreadsOneSourceEvenly() throws Exception {
        BpfRequirement.assumeBpf();
        long[] perSocket = run(SteeringMode.ROUND_ROBIN, "127.0.0.1");
        assertBalanced(perSocket);
    }

    @Test
    void randomOverIpv6() throws Exception {
        BpfRequirement.assumeBpf();
        long[] perSocket = run(SteeringMode.RANDOM, "::1");
        assertBalanced(perSocket);
    }

    @Test
    void hashSendsOneSourceToOneSocket() throws Exception {
        long[] perSocket = run(SteeringMode.HASH, "127.0.0.1");
        long max = Arrays.stream(perSocket).max().orElseThrow();
        assertTrue(max >= DATAGRAMS * 99 / 100, "hash: one socket should get >= 99%, got " + Arrays.toString(perSocket));
    }

    @Test
    void detachReturnsToTheHash() throws Exception {
        BpfRequirement.assumeBpf();
        ReuseportSocketGroup group = ReuseportSocketGroup.open(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4, RCVBUF);
        try (WorkerPool pool = new WorkerPool("detach", group, i -> DatagramHandler_NOOP, ReceiveOptions.DEFAULT);
                BpfSteering steering = BpfSteering.load(BpfObjectSource.bundled(), SteeringMode.ROUND_ROBIN, 4);
                UdpSender sender = new UdpSender(group.localAddress(), 12)) {
            steering.attach(group);
            assertTrue(steering.attached());
            pool.start();
            sender.sendPaced(400, pool::packets, 200, Duration.ofSeconds(10));
            assertEquals(400, UdpSender.awaitReceived(pool::packets, 400, Duration.ofSeconds(5)));
            long[] attached = pool.stats().stream().mapToLong(s -> s.packets()).toArray();
            // round robin while attached: every socket gets some. Not exactly 100 each: the program's
            // counter is per CPU, so with senders on 2 CPUs the split is near even, not exact ([101, 101, 99, 99] seen).
            assertTrue(Arrays.stream(attached).allMatch(n -> n >= 75 && n <= 125), "within ±25% of 100: " + Arrays.toString(attached));

            steering.detach();
            sender.sendPaced(400, () -> pool.packets() - 400, 200, Duration.ofSeconds(10));
            assertEquals(800, UdpSender.awaitReceived(pool::packets, 800, Duration.ofSeconds(5)));
            long[] after = pool.stats().stream().mapToLong(s -> s.packets()).toArray();
            long max = 0;
            for (int i = 0; i < after.length; i++) max = Math.max(max, after[i] - attached[i]);
            assertEquals(400, max, "after detach one 4-tuple goes to one socket: " + Arrays.toString(after));
        }
    }

    /** Sends DATAGRAMS from one source; returns what each socket's worker received. */
    static long[] run(SteeringMode mode, String address) throws Exception {
        ReuseportSocketGroup group = ReuseportSocketGroup.open(
                new InetSocketAddress(InetAddress.getByName(address), 0), SOCKETS, RCVBUF);
        try (WorkerPool pool = new WorkerPool("balance", group, i -> DatagramHandler_NOOP, ReceiveOptions.DEFAULT);
                Steering steering = Steering.attachOrFallback("balance", group, mode, BpfObjectSource.bundled());
                UdpSender sender = new UdpSender(group.localAddress(), 12)) {
            assertEquals(mode.usesProgram(), steering.ebpfLoaded(), steering.reason());
            assertEquals(mode, steering.effectiveMode());
            pool.start();
            long sent = sender.sendPaced(DATAGRAMS, pool::packets, 2_000, Duration.ofSeconds(20));
            long received = UdpSender.awaitReceived(pool::packets, sent, Duration.ofSeconds(5));
            long[] perSocket = pool.stats().stream().mapToLong(s -> s.packets()).toArray();
            System.out.println(mode + " " + address + ": " + Arrays.toString(perSocket) + " sent=" + sent
                    + " received=" + received);
            assertEquals(DATAGRAMS, sent);
            assertEquals(sent, received, "received == sent");
            return perSocket;
        }
    }

    static void assertBalanced(long[] perSocket) {
        long mean = Arrays.stream(perSocket).sum() / perSocket.length;
        for (int i = 0; i < perSocket.length; i++) {
            long n = perSocket[i];
            assertTrue(n >= mean * 75 / 100 && n <= mean * 125 / 100,
                    "socket " + i + " got " + n + ", outside ±25% of the mean " + mean + ": " + Arrays.toString(perSocket));
        }
    }

    static final DatagramHandler DatagramHandler_NOOP = d -> {};
}

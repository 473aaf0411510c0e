package io.sluice.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.handover.Handover;
import io.sluice.handover.HandoverSettings;
import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.GuardMaps.DropReason;
import io.sluice.steering.GuardRules;
import io.sluice.steering.Steering;
import io.sluice.steering.SteeringMode;
import io.sluice.testing.PinRoot;
import io.sluice.testing.UdpSender;
import io.sluice.worker.ReceiveOptions;
import io.sluice.worker.WorkerPool;
import java.nio.file.Path;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A successor with other lists takes a listener over (the graceful restart, docs/upgrade.md): a
 * reuseport group has one program, so from the successor's attach on its lists are the ones in force,
 * and its takeover does not detach its own filter when it runs on the kernel hash.
 */
class HandoverGuardTest {
    static final GuardRules ONLY_2 = new GuardRules(Set.of(GuardRules.Prefix.parse("127.0.0.2/32")), null);
    static final GuardRules ONLY_3 = new GuardRules(Set.of(GuardRules.Prefix.parse("127.0.0.3/32")), null);

    @ParameterizedTest
    @EnumSource(value = SteeringMode.class, names = {"RANDOM", "HASH"})
    void theSuccessorsListsAreInForceAfterTheTakeover(SteeringMode successorMode, @PinRoot Path pinRoot) throws Exception {
        Sources.Counter before = new Sources.Counter();
        Sources.Counter after = new Sources.Counter();
        ReuseportSocketGroup first = ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 2, 4 << 20);
        ReuseportSocketGroup second = null;
        try (WorkerPool firstPool = new WorkerPool("first", first, i -> before.handler(), ReceiveOptions.DEFAULT);
                Steering firstSteering = Steering.attachOrFallback("first", first, SteeringMode.RANDOM, BpfObjectSource.bundled(), ONLY_2);
                Sources.Sender two = new Sources.Sender("127.0.0.2", first.localAddress());
                Sources.Sender three = new Sources.Sender("127.0.0.3", first.localAddress())) {
            firstPool.start();
            second = ReuseportSocketGroup.open(first.localAddress(), 2, 4 << 20);
            try (WorkerPool secondPool = new WorkerPool("second", second, i -> after.handler(), ReceiveOptions.DEFAULT);
                    Steering secondSteering = Steering.attachOrFallback("second", second, successorMode, BpfObjectSource.bundled(), ONLY_3);
                    Handover handover = Handover.takeOver(HandoverSettings.DEFAULTS.withPinRoot(pinRoot), "guard-takeover", second,
                            secondSteering)) {
                assertTrue(secondSteering.programAttached(), secondSteering.reason());
                secondPool.start();
                ListenerGuard guard = new ListenerGuard("second", secondSteering, ONLY_3, null, () -> 0);
                for (int i = 0; i < 500; i++) {
                    two.send();
                    three.send();
                }
                long received = UdpSender.awaitReceived(() -> before.total.sum() + after.total.sum()
                        + guard.dropped(DropReason.NOT_ALLOWED), 1000, Duration.ofSeconds(10));
                assertEquals(1000, received);
                System.out.printf("successor (%s, allow 127.0.0.3) after the takeover: first got %d, second got %d from .3 and %d "
                        + "from .2, refused %d%n", successorMode, before.total.sum(), after.from(three.source), after.from(two.source),
                        guard.dropped(DropReason.NOT_ALLOWED));
                assertEquals(0, before.from(two.source) + after.from(two.source), "127.0.0.2 is refused: the successor's list");
                assertEquals(500, guard.dropped(DropReason.NOT_ALLOWED));
                // the successor's program selects its own sockets; on the hash the kernel spreads over both groups
                long threeGot = before.from(three.source) + after.from(three.source);
                assertEquals(500, threeGot, "127.0.0.3 is allowed: the successor's list");
                if (successorMode == SteeringMode.RANDOM) assertEquals(500, after.from(three.source));
            }
        } finally {
            if (second != null) second.close();
            first.close();
        }
    }
}

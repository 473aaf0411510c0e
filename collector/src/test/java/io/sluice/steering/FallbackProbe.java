package io.sluice.steering;

import io.sluice.socket.ReuseportSocketGroup;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Run in a child JVM by {@link NoPrivilegeFallbackTest}: attaches as the service would and prints the outcome. */
public final class FallbackProbe {
    public static void main(String[] args) throws Exception {
        try (ReuseportSocketGroup group = ReuseportSocketGroup.open(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2, 0);
                Steering steering = Steering.attachOrFallback("probe", group, SteeringMode.RANDOM, BpfObjectSource.bundled())) {
            System.out.println("loaded=" + steering.ebpfLoaded());
            System.out.println("effective=" + steering.effectiveMode());
            System.out.println("reason=" + steering.reason());
        }
    }
}

package io.sluice.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sluice.decode.Datagram;
import io.sluice.steering.GuardRules;
import java.net.InetAddress;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The user-space allow-list (guard-fallback: user-space) decides as the kernel's trie does: IPv4 as
 * ::ffff:a.b.c.d, so an IPv4 prefix matches an IPv4 source whether it arrives as 4 bytes or v4-mapped
 * on a dual-stack socket, and ::/0 matches everything.
 */
class UserSpaceAllowListTest {
    private static long passed(Set<String> prefixes, String... sources) throws Exception {
        UserSpaceAllowList.Table table = new UserSpaceAllowList.Table();
        java.util.Set<GuardRules.Prefix> allow = null;
        if (prefixes != null) {
            allow = new java.util.HashSet<>();
            for (String p : prefixes) allow.add(GuardRules.Prefix.parse(p));
        }
        table.set(allow);
        AtomicLong got = new AtomicLong();
        UserSpaceAllowList filter = new UserSpaceAllowList(d -> got.incrementAndGet(), table);
        Datagram d = new Datagram(16);
        for (String s : sources) {
            byte[] a = InetAddress.getByName(s).getAddress();
            if (s.startsWith("::ffff:")) { // as a dual-stack socket reports an IPv4 source
                byte[] m = new byte[16];
                m[10] = m[11] = (byte) 0xff;
                System.arraycopy(a, 0, m, 12, 4);
                a = m;
            }
            d.setExporter(a, 2055);
            filter.onDatagram(d);
        }
        assertEquals(sources.length - got.get(), filter.refused(), "every datagram is passed or counted");
        return got.get();
    }

    @Test
    void prefixesMatchLikeTheKernelsTrie() throws Exception {
        assertEquals(2, passed(Set.of("10.0.0.0/8"), "10.0.0.1", "10.255.255.255", "11.0.0.0", "9.255.255.255"));
        assertEquals(1, passed(Set.of("10.0.0.0/8"), "::ffff:10.1.2.3", "::ffff:11.1.2.3"));
        assertEquals(2, passed(Set.of("2001:db8::/32"), "2001:db8::1", "2001:db8:ffff::1", "2001:db9::1"));
        assertEquals(1, passed(Set.of("2001:db8:0:0:8000::/65"), "2001:db8::8000:0:0:1", "2001:db8::7fff:0:0:1"));
        assertEquals(1, passed(Set.of("192.0.2.7"), "192.0.2.7", "192.0.2.8"));
        assertEquals(2, passed(Set.of("0.0.0.0/0"), "1.2.3.4", "::ffff:5.6.7.8", "::1"), "IPv4 /0: every IPv4 source, no IPv6");
        assertEquals(3, passed(Set.of("::/0"), "1.2.3.4", "::ffff:5.6.7.8", "::1"));
        assertEquals(0, passed(Set.of(), "1.2.3.4", "::1"), "an empty list refuses everyone");
        assertEquals(2, passed(null, "1.2.3.4", "::1"), "no list (removed by a reload): everyone");
    }
}

package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.steering.GuardRules;
import java.net.InetAddress;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The listener keys allow, rate-limit and guard-fallback (docs/configuration.md, docs/security.md). */
class GuardConfigTest {
    private static SluiceConfig.Listener listener(String keys) throws ConfigException {
        return ConfigLoader.fromYaml("listeners: [{address: 0.0.0.0:2055" + keys + "}]").listeners().getFirst();
    }

    private static void rejected(String keys, String key, String fragment) {
        ConfigException e = assertThrows(ConfigException.class, () -> listener(keys));
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.problem().contains(fragment), "'" + e.problem() + "' should say '" + fragment + "'");
    }

    @Test
    void absentMeansEveryoneUnlimited() throws Exception {
        SluiceConfig.Listener l = listener("");
        assertNull(l.guard().allow());
        assertNull(l.guard().rateLimit());
        assertFalse(l.guard().enforcing());
        assertFalse(l.guardUserSpace());
    }

    @Test
    void prefixesOfBothFamiliesAndSingleAddresses() throws Exception {
        SluiceConfig.Listener l = listener(", allow: [192.0.2.77/24, '2001:db8::1/32', 198.51.100.7, '::1']");
        assertEquals(Set.of(new GuardRules.Prefix(InetAddress.getByName("192.0.2.0"), 24),
                new GuardRules.Prefix(InetAddress.getByName("2001:db8::"), 32),
                new GuardRules.Prefix(InetAddress.getByName("198.51.100.7"), 32),
                new GuardRules.Prefix(InetAddress.getByName("::1"), 128)), l.guard().allow());
        assertTrue(listener(", allow: []").guard().allow().isEmpty(), "an empty list refuses everyone");
    }

    @Test
    void rateLimitWithAndWithoutBurst() throws Exception {
        GuardRules.RateLimit r = listener(", rate-limit: {datagrams-per-second: 2000, burst: 500}").guard().rateLimit();
        assertEquals(2000, r.perSecond());
        assertEquals(500, r.burst());
        assertEquals(500_000, r.intervalNanos());
        assertEquals(499 * 500_000L, r.toleranceNanos());
        assertEquals(200, listener(", rate-limit: {datagrams-per-second: 2000}").guard().rateLimit().burst(), "default burst: a tenth");
        assertTrue(listener(", guard-fallback: user-space").guardUserSpace());
    }

    @Test
    void badValuesAreNamed() {
        rejected(", allow: [10.0.0.0/33]", "listeners[0].allow[0]", "prefix length must be 0..32");
        rejected(", allow: [router1]", "listeners[0].allow[0]", "not an IP prefix");
        rejected(", allow: [10.0.0.0/8, {a: 1}]", "listeners[0].allow[1]", "expected a text value");
        rejected(", rate-limit: {burst: 10}", "listeners[0].rate-limit.datagrams-per-second", "missing");
        rejected(", rate-limit: {datagrams-per-second: 0}", "listeners[0].rate-limit.datagrams-per-second", "between 1 and");
        rejected(", rate-limit: {datagrams-per-second: 10, brust: 1}", "listeners[0].rate-limit.brust", "unknown key");
        rejected(", guard-fallback: open", "listeners[0].guard-fallback", "refuse | user-space");
    }
}

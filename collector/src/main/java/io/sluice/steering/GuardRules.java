package io.sluice.steering;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;

/**
 * What the kernel guard of one listener enforces (docs/security.md): which sources may send at all
 * and how fast each may send. Both are optional; {@link #NONE} lets everyone through unlimited.
 *
 * @param allow the prefixes a source must be in; null = everyone (an empty set refuses everyone)
 * @param rateLimit the per-source limit; null = none
 */
public record GuardRules(Set<Prefix> allow, RateLimit rateLimit) {
    public static final GuardRules NONE = new GuardRules(null, null);
    /**
     * Prefixes a listener may allow: half the max_entries of allow_list in sluice_guard.h, since a reload
     * holds the old and the new prefixes together for a moment.
     */
    public static final int MAX_PREFIXES = 4096;

    public GuardRules {
        allow = allow == null ? null : Set.copyOf(allow);
    }

    /** Whether anything is enforced: without, steering {@code hash} loads no program at all. */
    public boolean enforcing() {
        return allow != null || rateLimit != null;
    }

    /**
     * A source address limit per second with a burst: a source idle long enough may send {@code burst}
     * datagrams back to back, then {@code perSecond} on average.
     */
    public record RateLimit(long perSecond, long burst) {
        public RateLimit {
            if (perSecond < 1 || perSecond > 1_000_000_000L) throw new IllegalArgumentException("datagrams per second must be 1..1e9");
            if (burst < 1) throw new IllegalArgumentException("burst must be at least 1");
        }

        /** Nanoseconds one datagram costs. */
        public long intervalNanos() {
            return 1_000_000_000L / perSecond;
        }

        /** How far ahead of its rate a source may be: (burst - 1) intervals. */
        public long toleranceNanos() {
            return (burst - 1) * intervalNanos();
        }
    }

    /** An IPv4 or IPv6 prefix; IPv4 is held as its IPv4-mapped IPv6 form (::ffff:a.b.c.d/96+n) by the map. */
    public record Prefix(InetAddress address, int length) {
        public Prefix {
            int max = address instanceof Inet4Address ? 32 : 128;
            if (length < 0 || length > max) throw new IllegalArgumentException("prefix length must be 0.." + max);
            address = masked(address, length);
        }

        /** {@code 10.0.0.0/8}, {@code 2001:db8::/32}, or a single address (a /32 or /128). No name lookups. */
        public static Prefix parse(String text) {
            String t = text.trim();
            int slash = t.indexOf('/');
            String host = slash < 0 ? t : t.substring(0, slash);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            if (!host.matches("[0-9.]+") && !host.contains(":")) {
                throw new IllegalArgumentException("'" + text + "' is not an IP prefix (e.g. 192.0.2.0/24 or 2001:db8::/32)");
            }
            InetAddress address;
            try {
                address = InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + text + "' is not an IP prefix");
            }
            int max = address instanceof Inet4Address ? 32 : 128;
            int length = max;
            if (slash >= 0) {
                String bits = t.substring(slash + 1);
                if (!bits.matches("\\d{1,3}") || Integer.parseInt(bits) > max) {
                    throw new IllegalArgumentException("'" + text + "': the prefix length must be 0.." + max);
                }
                length = Integer.parseInt(bits);
            }
            return new Prefix(address, length);
        }

        /** The 16 bytes the BPF map keys on (IPv4 mapped) and the prefix length over them. */
        byte[] mappedBytes() {
            return mapped(address);
        }

        int mappedLength() {
            return address instanceof Inet4Address ? 96 + length : length;
        }

        private static InetAddress masked(InetAddress a, int length) {
            byte[] b = a.getAddress();
            for (int i = 0; i < b.length; i++) {
                int keep = Math.max(0, Math.min(8, length - i * 8));
                b[i] &= (byte) (0xff << (8 - keep));
            }
            try {
                return InetAddress.getByAddress(b);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public String toString() {
            return address.getHostAddress() + "/" + length;
        }
    }

    /** An address as the guard keys it: IPv6, or IPv4 as ::ffff:a.b.c.d. */
    static byte[] mapped(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 16) return b;
        byte[] m = new byte[16];
        m[10] = (byte) 0xff;
        m[11] = (byte) 0xff;
        System.arraycopy(b, 0, m, 12, 4);
        return m;
    }

    /** The address of a guard key: an IPv4-mapped one as the IPv4 address. */
    static InetAddress unmapped(byte[] key) {
        try {
            boolean v4 = true;
            for (int i = 0; i < 10; i++) v4 &= key[i] == 0;
            v4 &= key[10] == (byte) 0xff && key[11] == (byte) 0xff;
            return v4 ? InetAddress.getByAddress(java.util.Arrays.copyOfRange(key, 12, 16)) : InetAddress.getByAddress(key);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** For messages: what this enforces. */
    public String describe() {
        if (!enforcing()) return "no guard";
        String a = allow == null ? "every source" : allow.isEmpty() ? "no source"
                : allow.size() <= 8 ? List.copyOf(allow).toString()
                : List.copyOf(allow).subList(0, 8).toString().replace("]", ", ... (" + allow.size() + " prefixes)]");
        String r = rateLimit == null ? "no rate limit" : rateLimit.perSecond() + " datagrams/s (burst " + rateLimit.burst() + ") per source";
        return "allow " + a + ", " + r;
    }
}

package io.sluice.flow;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Text form of addresses held as bytes; used off the hot path (JSON output, logs). */
public final class AddressFormat {
    private AddressFormat() {}

    /** Dotted quad for 4 bytes (and for IPv4-mapped IPv6), RFC 5952 text for 16, "" for none. */
    public static String format(byte[] b, int length) {
        if (length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        if (length != 16) return "";
        boolean mapped = true;
        for (int i = 0; i < 10; i++) if (b[i] != 0) mapped = false;
        if (mapped && b[10] == (byte) 0xff && b[11] == (byte) 0xff) {
            return (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
        }
        try {
            byte[] copy = java.util.Arrays.copyOf(b, 16);
            return compress(InetAddress.getByAddress(copy).getHostAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen for 16 bytes
        }
    }

    /** Java prints full groups ("2a0c:8880:2:0:185:21:130:38"); RFC 5952 wants the longest zero run as "::". */
    static String compress(String full) {
        String[] groups = full.split(":");
        int bestStart = -1, bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) j++;
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) return full;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bestStart; i++) {
            if (i > 0) sb.append(':');
            sb.append(groups[i]);
        }
        sb.append("::");
        for (int i = bestStart + bestLen; i < groups.length; i++) {
            if (i > bestStart + bestLen) sb.append(':');
            sb.append(groups[i]);
        }
        return sb.toString();
    }
}

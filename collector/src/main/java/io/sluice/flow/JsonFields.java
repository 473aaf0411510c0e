package io.sluice.flow;

/**
 * Writes {@code "key":value} pairs of one JSON object into a StringBuilder: numbers as numbers,
 * addresses as text, MACs as aa:bb:cc:dd:ee:ff. The one piece every JSON sluice prints goes through
 * (flows, sFlow counters), so `sluice decode`, the file output and `bin/run-local watch` agree.
 */
final class JsonFields {
    private final StringBuilder sb;
    private boolean first = true;

    JsonFields(StringBuilder sb) {
        this.sb = sb;
    }

    private void key(String k) {
        sb.append(first ? '{' : ',').append('"').append(k).append("\":");
        first = false;
    }

    /** Ends the object ('{}' when nothing was written). */
    void end() {
        if (first) sb.append('{');
        sb.append('}');
    }

    /** Omitted when 0. */
    void num(String k, long v) {
        if (v != 0) forceNum(k, v);
    }

    void forceNum(String k, long v) {
        key(k);
        sb.append(v);
    }

    /** An unsigned 64-bit value (sFlow octet counters may exceed Long.MAX_VALUE); omitted when 0. */
    void unsigned(String k, long v) {
        if (v == 0) return;
        key(k);
        sb.append(Long.toUnsignedString(v));
    }

    /** Text without characters that need escaping (names, addresses, hex). */
    void text(String k, String v) {
        key(k);
        sb.append('"').append(v).append('"');
    }

    void addr(String k, FlowRecord.Address a) {
        if (a.isSet()) text(k, a.toString());
    }

    /** Present even when absent (""): goflow2's JSON lists every field. */
    void forceAddr(String k, FlowRecord.Address a) {
        text(k, a.toString());
    }

    void mac(String k, long mac) {
        if (mac != 0) forceMac(k, mac);
    }

    void forceMac(String k, long mac) {
        key(k);
        sb.append('"');
        for (int shift = 40; shift >= 0; shift -= 8) {
            int octet = (int) (mac >>> shift) & 0xff;
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xf, 16));
            if (shift > 0) sb.append(':');
        }
        sb.append('"');
    }

    void list(String k, long[] values, int count) {
        if (count != 0) forceList(k, values, count);
    }

    void forceList(String k, long[] values, int count) {
        key(k);
        sb.append('[');
        for (int i = 0; i < count; i++) sb.append(i == 0 ? "" : ",").append(values[i]);
        sb.append(']');
    }

    void list(String k, int[] values, int count) {
        if (count != 0) forceList(k, values, count);
    }

    void forceList(String k, int[] values, int count) {
        key(k);
        sb.append('[');
        for (int i = 0; i < count; i++) sb.append(i == 0 ? "" : ",").append(values[i]);
        sb.append(']');
    }

    /** An empty JSON list (goflow2 prints repeated fields sluice does not hold as []). */
    /** A repeated address field holding one address (as goflow2 prints repeated bytes: a list). */
    void addrList(String k, FlowRecord.Address a) {
        key(k);
        sb.append("[\"").append(a.toString()).append("\"]");
    }

    void emptyList(String k) {
        key(k);
        sb.append("[]");
    }

    /** A nested object: the caller writes its fields through the returned writer, then calls end(). */
    JsonFields object(String k) {
        key(k);
        return new JsonFields(sb);
    }
}

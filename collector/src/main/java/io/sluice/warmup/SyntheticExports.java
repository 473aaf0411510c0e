package io.sluice.warmup;

import io.sluice.decode.ListenerProtocol;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Well-formed datagrams of every protocol sluice decodes, built from the specs (RFC 7011 IPFIX, RFC 3954
 * NetFlow v9, Cisco's NetFlow v5 layout, sFlow v5), with the fields real exporters send most: IPv4 and
 * IPv6 5-tuples, counters, times, interfaces, AS numbers, next hop; sFlow samples carrying an
 * Ethernet/IPv4/TCP header. What a warm-up feeds the decoders so that the JIT compiles the paths live
 * traffic takes; the values vary per record so no branch is trained on one constant.
 */
public final class SyntheticExports {
    /** The exporter the datagrams claim to come from: TEST-NET-1 (RFC 5737), never a real router. */
    public static final byte[] EXPORTER = {(byte) 192, 0, 2, 1};

    private static final int RECORDS_PER_SET = 20;
    private static final int V5_RECORDS = 30;
    private static final int SFLOW_SAMPLES = 8;
    private static final int IPV4_TEMPLATE = 256;
    private static final int IPV6_TEMPLATE = 257;
    /** IPFIX (IE id, length) of the IPv4 template: addresses, ports, protocol, flags, ToS, interfaces, counters, times, ASes, next hop. */
    private static final int[][] IPFIX_V4 = {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {5, 1}, {10, 4}, {14, 4},
            {1, 8}, {2, 8}, {152, 8}, {153, 8}, {16, 4}, {17, 4}, {15, 4}};
    private static final int[][] IPFIX_V6 = {{27, 16}, {28, 16}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {10, 4}, {14, 4},
            {1, 8}, {2, 8}, {152, 8}, {153, 8}};
    /** NetFlow v9 of the same: 4-byte counters and uptime-relative FIRST/LAST_SWITCHED (22/21), as most routers send. */
    private static final int[][] V9_V4 = {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {5, 1}, {10, 4}, {14, 4},
            {1, 4}, {2, 4}, {22, 4}, {21, 4}, {16, 4}, {17, 4}, {15, 4}};
    private static final int[][] V9_V6 = {{27, 16}, {28, 16}, {7, 2}, {11, 2}, {4, 1}, {6, 1}, {10, 4}, {14, 4},
            {1, 4}, {2, 4}, {22, 4}, {21, 4}};

    private SyntheticExports() {}

    /** One datagram and the listener protocol that accepts it. */
    public record Export(ListenerProtocol protocol, byte[] bytes) {}

    /** Template messages first, then data: what one exporter of each protocol sends, {@code rounds} data datagrams each. */
    public static List<Export> all(int rounds) {
        List<Export> out = new ArrayList<>();
        out.add(new Export(ListenerProtocol.IPFIX, ipfixTemplates()));
        out.add(new Export(ListenerProtocol.NETFLOW, v9Templates()));
        for (int r = 0; r < rounds; r++) {
            out.add(new Export(ListenerProtocol.IPFIX, ipfixData(IPV4_TEMPLATE, IPFIX_V4, r)));
            out.add(new Export(ListenerProtocol.IPFIX, ipfixData(IPV6_TEMPLATE, IPFIX_V6, r)));
            out.add(new Export(ListenerProtocol.NETFLOW, v9Data(IPV4_TEMPLATE, V9_V4, r)));
            out.add(new Export(ListenerProtocol.NETFLOW, v9Data(IPV6_TEMPLATE, V9_V6, r)));
            out.add(new Export(ListenerProtocol.NETFLOW, v5(r)));
            out.add(new Export(ListenerProtocol.SFLOW, sflow(r)));
        }
        return out;
    }

    static byte[] ipfixTemplates() {
        ByteBuffer b = ByteBuffer.allocate(512);
        ipfixHeader(b, 0);
        int set = b.position();
        b.putShort((short) 2).putShort((short) 0);
        template(b, IPV4_TEMPLATE, IPFIX_V4);
        template(b, IPV6_TEMPLATE, IPFIX_V6);
        b.putShort(set + 2, (short) (b.position() - set));
        return finishIpfix(b);
    }

    static byte[] ipfixData(int templateId, int[][] fields, int round) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        ipfixHeader(b, round * RECORDS_PER_SET);
        int set = b.position();
        b.putShort((short) templateId).putShort((short) 0);
        long now = System.currentTimeMillis();
        for (int r = 0; r < RECORDS_PER_SET; r++) record(b, fields, round * RECORDS_PER_SET + r, now, true);
        b.putShort(set + 2, (short) (b.position() - set));
        return finishIpfix(b);
    }

    static byte[] v9Templates() {
        ByteBuffer b = ByteBuffer.allocate(512);
        v9Header(b, 2, 0);
        int set = b.position();
        b.putShort((short) 0).putShort((short) 0);
        template(b, IPV4_TEMPLATE, V9_V4);
        template(b, IPV6_TEMPLATE, V9_V6);
        b.putShort(set + 2, (short) (b.position() - set));
        return finish(b);
    }

    static byte[] v9Data(int templateId, int[][] fields, int round) {
        ByteBuffer b = ByteBuffer.allocate(4096);
        v9Header(b, RECORDS_PER_SET, round + 1);
        int set = b.position();
        b.putShort((short) templateId).putShort((short) 0);
        for (int r = 0; r < RECORDS_PER_SET; r++) record(b, fields, round * RECORDS_PER_SET + r, 3_600_000L, false);
        while ((b.position() - set) % 4 != 0) b.put((byte) 0); // RFC 3954 5.3: flowsets padded to 32 bits
        b.putShort(set + 2, (short) (b.position() - set));
        return finish(b);
    }

    static byte[] v5(int round) {
        ByteBuffer b = ByteBuffer.allocate(24 + 48 * V5_RECORDS);
        long now = System.currentTimeMillis();
        b.putShort((short) 5).putShort((short) V5_RECORDS).putInt(3_600_000).putInt((int) (now / 1000))
                .putInt((int) (now % 1000) * 1_000_000).putInt(round * V5_RECORDS).put((byte) 0).put((byte) 0)
                .putShort((short) 0);
        for (int r = 0; r < V5_RECORDS; r++) {
            int i = round * V5_RECORDS + r;
            b.putInt(0x0a000000 | i & 0xffff).putInt(0xc6336400 | i & 0xff).putInt(0x0a0000fe)
                    .putShort((short) (1 + i % 8)).putShort((short) (9 + i % 4))
                    .putInt(1 + i % 50).putInt(64 + i % 1400 * 50).putInt(3_500_000 + i).putInt(3_590_000 + i)
                    .putShort((short) (1024 + i % 60000)).putShort((short) (i % 3 == 0 ? 443 : 53))
                    .put((byte) 0).put((byte) (i % 3 == 0 ? 0x1b : 0)).put((byte) (i % 3 == 0 ? 6 : 17)).put((byte) 0)
                    .putShort((short) 64500).putShort((short) (64496 + i % 16)).put((byte) 24).put((byte) 24).putShort((short) 0);
        }
        return finish(b);
    }

    /** One sFlow v5 datagram: SFLOW_SAMPLES flow samples, each one raw Ethernet/IPv4/TCP header record. */
    static byte[] sflow(int round) {
        ByteBuffer b = ByteBuffer.allocate(2048);
        b.putInt(5).putInt(1).put(EXPORTER).putInt(0).putInt(round + 1).putInt(3_600_000).putInt(SFLOW_SAMPLES);
        for (int s = 0; s < SFLOW_SAMPLES; s++) {
            int i = round * SFLOW_SAMPLES + s;
            int sample = b.position();
            b.putInt(1).putInt(0); // enterprise 0, format 1 (flow sample); length below
            b.putInt(i + 1).putInt(3).putInt(1000).putInt((i + 1) * 1000).putInt(0).putInt(3).putInt(7).putInt(1);
            b.putInt(1).putInt(4 + 4 + 4 + 4 + 56); // raw packet header record
            b.putInt(1).putInt(1500).putInt(4).putInt(54); // protocol ethernet, frame length, stripped, header length
            int frame = b.position();
            b.put(new byte[] {0, 0x1b, 0x21, 0, 0, 1, 0, 0x1b, 0x21, 0, 0, 2}).putShort((short) 0x0800);
            b.put((byte) 0x45).put((byte) 0).putShort((short) 1482).putShort((short) i).putShort((short) 0x4000)
                    .put((byte) 64).put((byte) 6).putShort((short) 0)
                    .putInt(0x0a000000 | i & 0xffff).putInt(0xc6336400 | i & 0xff);
            b.putShort((short) (1024 + i % 60000)).putShort((short) 443).putInt(i).putInt(0).put((byte) 0x50)
                    .put((byte) 0x10).putShort((short) 65535).putShort((short) 0).putShort((short) 0);
            while ((b.position() - frame) % 4 != 0) b.put((byte) 0); // XDR: opaque data padded to 4 bytes
            b.putInt(sample + 4, b.position() - sample - 8);
        }
        return finish(b);
    }

    private static void ipfixHeader(ByteBuffer b, int sequence) {
        b.putShort((short) 10).putShort((short) 0).putInt((int) (System.currentTimeMillis() / 1000)).putInt(sequence).putInt(1);
    }

    private static byte[] finishIpfix(ByteBuffer b) {
        b.putShort(2, (short) b.position());
        return finish(b);
    }

    private static void v9Header(ByteBuffer b, int count, int sequence) {
        b.putShort((short) 9).putShort((short) count).putInt(3_600_000).putInt((int) (System.currentTimeMillis() / 1000))
                .putInt(sequence).putInt(1);
    }

    private static void template(ByteBuffer b, int id, int[][] fields) {
        b.putShort((short) id).putShort((short) fields.length);
        for (int[] f : fields) b.putShort((short) f[0]).putShort((short) f[1]);
    }

    /** One data record of {@code fields}; times absolute ms (IPFIX 152/153) or uptime-relative ms (v9 22/21). */
    private static void record(ByteBuffer b, int[][] fields, int i, long clock, boolean absolute) {
        for (int[] f : fields) {
            switch (f[0]) {
                case 8, 15 -> b.putInt(0x0a000000 | i & 0xffff);
                case 12 -> b.putInt(0xc6336400 | i & 0xff);
                case 27, 28 -> b.putLong(0x20010db800000000L | f[0]).putLong(i);
                case 7 -> b.putShort((short) (1024 + i % 60000));
                case 11 -> b.putShort((short) (i % 3 == 0 ? 443 : 53));
                case 4 -> b.put((byte) (i % 3 == 0 ? 6 : 17));
                case 6 -> b.put((byte) (i % 3 == 0 ? 0x1b : 0));
                case 5 -> b.put((byte) (i % 4 << 2));
                case 10, 14 -> b.putInt(1 + i % 8);
                case 1 -> put(b, f[1], 64 + i % 1400 * 50L);
                case 2 -> put(b, f[1], 1 + i % 50);
                case 152, 22 -> put(b, f[1], absolute ? clock - 60_000 + i % 1000 : clock - 90_000 + i % 1000);
                case 153, 21 -> put(b, f[1], absolute ? clock - 1_000 : clock - 10_000);
                case 16, 17 -> b.putInt(64496 + i % 16);
                default -> throw new IllegalStateException("no value for IE " + f[0]);
            }
        }
    }

    private static void put(ByteBuffer b, int length, long value) {
        if (length == 8) b.putLong(value);
        else b.putInt((int) value);
    }

    private static byte[] finish(ByteBuffer b) {
        byte[] out = new byte[b.position()];
        b.flip().get(out);
        return out;
    }
}

package io.sluice.decode.netflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.Datagram;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.testing.Captures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Template withdrawal and redefinition, and the bounds of the buffer where data waits for its
 * template, on real exporter datagrams (withdrawal messages are built around a real IPFIX header).
 */
class TemplateLifecycleTest {
    private static final Duration GENEROUS = Duration.ofSeconds(5);

    private final Datagram datagram = new Datagram(ByteBuffer.allocate(0));
    private final DecodeStats stats = new DecodeStats();
    private long flows;
    private final FlowSink sink = (FlowRecord f) -> flows++;

    private void feed(VersionDispatch decoder, byte[] payload, long timeNs) {
        feed(decoder, payload, timeNs, 7);
    }

    /** From exporter 10.127.100.{lastByte}. */
    private void feed(VersionDispatch decoder, byte[] payload, long timeNs, int lastByte) {
        datagram.buffer = ByteBuffer.wrap(payload);
        datagram.length = payload.length;
        datagram.setExporter(new byte[] {10, 127, 100, (byte) lastByte}, 50145);
        datagram.timeReceivedNs = timeNs;
        assertTimeoutPreemptively(GENEROUS, () -> decoder.decode(datagram, sink, stats));
    }

    private static byte[] only(Path file) throws IOException {
        return CaptureReader.read(file).getFirst().payload();
    }

    private static VersionDispatch decoder(NetflowDecoders d) {
        return new VersionDispatch(null, d.newNetflowV5(), d.newNetflowV9(), d.newIpfix());
    }

    /** An IPFIX message with the header of {@code real} (time, sequence, domain) and the given sets. */
    private static byte[] ipfix(byte[] real, byte[]... sets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(real, 0, 16);
        for (byte[] s : sets) out.write(s, 0, s.length);
        byte[] m = out.toByteArray();
        m[2] = (byte) (m.length >>> 8);
        m[3] = (byte) m.length;
        return m;
    }

    /** A set of the given id holding withdrawal records (template id, field count 0). */
    private static byte[] withdrawals(int setId, int... templateIds) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * templateIds.length);
        b.putShort((short) setId).putShort((short) b.capacity());
        for (int id : templateIds) b.putShort((short) id).putShort((short) 0);
        return b.array();
    }

    /** The data set (set id 2510) of mpls.pcap, cut out of the real datagram. */
    private static byte[] mplsDataSet(byte[] mpls) {
        int p = 16;
        while (p + 4 <= mpls.length) {
            int id = ((mpls[p] & 0xff) << 8) | (mpls[p + 1] & 0xff);
            int len = ((mpls[p + 2] & 0xff) << 8) | (mpls[p + 3] & 0xff);
            if (id == 2510) return Arrays.copyOfRange(mpls, p, p + len);
            p += len;
        }
        throw new AssertionError("no data set in mpls.pcap");
    }

    @Test
    void ipfixWithdrawalOfOneTemplateThenAllTerminatesAndForgets() throws IOException {
        byte[] mpls = only(Captures.captures().resolve("akvorado/netflow/mpls.pcap"));
        NetflowDecoders d = new NetflowDecoders(NetflowConfig.defaults());
        VersionDispatch decoder = decoder(d);
        feed(decoder, mpls, 0);
        assertEquals(2, d.templateStore().templateCount()); // template 2510, options template 50310
        assertEquals(2, flows);

        // Withdraw 2510 (the case that looped forever in a peer): the data that follows must wait.
        feed(decoder, ipfix(mpls, withdrawals(2, 2510), mplsDataSet(mpls)), 1);
        assertEquals(1, d.templateStore().templateCount());
        assertEquals(2, flows);
        assertEquals(1, d.templateStore().pendingSets());

        // Re-learning the template decodes the parked set; then withdraw-all of each kind.
        feed(decoder, mpls, 2);
        assertEquals(2 + 2 + 2, flows);
        assertEquals(0, d.templateStore().pendingSets());
        feed(decoder, ipfix(mpls, withdrawals(2, 2)), 3);
        assertEquals(1, d.templateStore().templateCount(), "withdraw-all templates keeps the options template");
        feed(decoder, ipfix(mpls, withdrawals(3, 3)), 4);
        assertEquals(0, d.templateStore().templateCount());

        // Hostile: many withdrawals (also of unknown and reserved ids) in one set, then trailing padding.
        int[] ids = new int[2000];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 3 == 0 ? 2 : 256 + i;
        feed(decoder, ipfix(mpls, withdrawals(2, ids), new byte[3]), 5);
        // A withdrawal set whose length says 4 (no records) and one cut in the middle of a record.
        feed(decoder, ipfix(mpls, withdrawals(2), Arrays.copyOf(withdrawals(3, 3, 3), 10)), 6);
        assertEquals(0, stats.errors(DecodeError.MALFORMED));
    }

    @Test
    void redefinedTemplateReplacesTheOldOne() throws IOException {
        byte[] mpls = only(Captures.captures().resolve("akvorado/netflow/mpls.pcap"));
        NetflowDecoders d = new NetflowDecoders(NetflowConfig.defaults());
        VersionDispatch decoder = decoder(d);
        feed(decoder, mpls, 0);
        // Redefine 2510 as a 2-field template (sourceIPv6Address, octetDeltaCount): 24-byte records.
        ByteBuffer t = ByteBuffer.allocate(4 + 4 + 8);
        t.putShort((short) 2).putShort((short) 16).putShort((short) 2510).putShort((short) 2);
        t.putShort((short) 27).putShort((short) 16).putShort((short) 1).putShort((short) 8);
        ByteBuffer data = ByteBuffer.allocate(4 + 24);
        data.putShort((short) 2510).putShort((short) 28);
        data.put(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}).putLong(4242);
        long before = flows;
        feed(decoder, ipfix(mpls, t.array(), data.array()), 1);
        assertEquals(before + 1, flows);
        assertEquals(2, d.templateStore().templateCount());
    }

    @Test
    void parkedSetsAreBoundedInCountAndCountedWhenDropped() throws IOException {
        Path dir = Captures.captures().resolve("goflow2");
        byte[] template = only(dir.resolve("nfv9-template260.bin"));
        byte[] data = only(dir.resolve("nfv9-data260.bin"));
        NetflowDecoders d = new NetflowDecoders(NetflowConfig.defaults().withPending(2, Duration.ofSeconds(60)));
        VersionDispatch decoder = decoder(d);
        for (int i = 0; i < 5; i++) feed(decoder, data, i);
        assertEquals(2, d.templateStore().pendingSets());
        assertEquals(3, d.templateStore().expiredSets());
        assertEquals(0, flows);
        feed(decoder, template, 10);
        assertEquals(2 * 21, flows); // the two newest waited and are decoded
        assertEquals(0, d.templateStore().pendingSets());
    }

    @Test
    void parkedSetsExpireByAge() throws IOException {
        Path dir = Captures.captures().resolve("goflow2");
        byte[] template = only(dir.resolve("nfv9-template260.bin"));
        byte[] data = only(dir.resolve("nfv9-data260.bin"));
        long second = 1_000_000_000L;
        NetflowDecoders d = new NetflowDecoders(NetflowConfig.defaults().withPending(100, Duration.ofSeconds(1)));
        VersionDispatch decoder = decoder(d);
        feed(decoder, data, 0);
        feed(decoder, data, 2 * second);
        feed(decoder, template, 2 * second + second / 2);
        assertEquals(21, flows, "only the set younger than 1 s is decoded");
        assertEquals(1, d.templateStore().expiredSets());

        // Without any further datagram of that exporter, the idle sweep expires what waits.
        NetflowDecoders idle = new NetflowDecoders(NetflowConfig.defaults().withPending(100, Duration.ofSeconds(1)));
        feed(decoder(idle), data, 0);
        assertEquals(0, idle.templateStore().expire(second / 2));
        assertEquals(1, idle.templateStore().expire(3 * second));
        assertEquals(0, idle.templateStore().pendingSets());
        assertEquals(1, idle.templateStore().expiredSets());
    }

    @Test
    void theStoreIsBoundedOverallInTemplatesAndParkedSets() throws IOException {
        byte[] mpls = only(Captures.captures().resolve("akvorado/netflow/mpls.pcap"));
        byte[] data = only(Captures.captures().resolve("goflow2/nfv9-data260.bin"));
        NetflowDecoders d = new NetflowDecoders(NetflowConfig.defaults().withLimits(3, 1));
        VersionDispatch decoder = decoder(d);
        feed(decoder, mpls, 0); // template 2510 then options template 50310: the second is refused
        assertEquals(1, d.templateStore().templateCount());
        assertEquals(1, d.templateStore().refusedTemplates());
        assertEquals(1, stats.errors(DecodeError.BAD_TEMPLATE));
        feed(decoder, mpls, 1); // a refresh of the kept template still passes; the other is refused again
        assertEquals(2, d.templateStore().refusedTemplates());
        assertEquals(2, d.templateStore().pendingSets()); // the options data of the refused template waits

        for (int exporter = 1; exporter <= 5; exporter++) feed(decoder, data, 2, exporter); // 5 spoofed sources
        assertEquals(3, d.templateStore().pendingSets()); // the overall bound
        assertEquals(4, d.templateStore().expiredSets());
        assertEquals(2, d.templateStore().pendingExporters());
        // The idle sweep expires them by age and forgets the exporters whose buffers are then empty.
        assertEquals(3, d.templateStore().expire(Duration.ofMinutes(5).toNanos()));
        assertEquals(0, d.templateStore().pendingExporters());
        feed(decoder, data, Duration.ofMinutes(6).toNanos(), 1); // a forgotten exporter parks again
        assertEquals(1, d.templateStore().pendingSets());
    }

    @Test
    void sameTemplateIdInTwoObservationDomainsAreDistinct() throws IOException {
        byte[] mpls = only(Captures.captures().resolve("akvorado/netflow/mpls.pcap"));
        NetflowDecoders d = new NetflowDecoders(NetflowConfig.defaults());
        VersionDispatch decoder = decoder(d);
        feed(decoder, mpls, 0);
        byte[] otherDomain = ipfix(mpls, mplsDataSet(mpls));
        otherDomain[15] ^= 1; // observation domain id + 1: its template 2510 is unknown
        feed(decoder, otherDomain, 1);
        assertEquals(2, flows);
        assertEquals(1, d.templateStore().pendingSets());
        assertTrue(d.templateStore().templateCount() == 2);
    }
}

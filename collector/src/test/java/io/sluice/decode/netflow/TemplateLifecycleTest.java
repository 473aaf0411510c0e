package io.sluice.decode.netflow;

import static io.sluice.testing.TemplateMessage.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.decode.DecodeError;
import io.sluice.decode.template.TemplateStore;
import io.sluice.testing.Captures;
import io.sluice.testing.DecodeHarness;
import io.sluice.testing.TemplateMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Template withdrawal and redefinition, and the bounds of the buffer where data waits for its
 * template, on real exporter datagrams (withdrawal messages are built around a real IPFIX header).
 */
class TemplateLifecycleTest {
    private static final Duration GENEROUS = Duration.ofSeconds(5);
    private static final long SECOND = 1_000_000_000L;

    private DecodeHarness h = new DecodeHarness();
    private long flows;

    private void feed(long timeNs, byte[] payload) {
        feed(7, timeNs, payload);
    }

    /** From exporter 10.127.100.{lastByte}; bounded in time (a withdrawal once looped forever in a peer). */
    private void feed(int lastByte, long timeNs, byte[] payload) {
        h.from(new byte[] {10, 127, 100, (byte) lastByte}, 50145).receivedAt(timeNs);
        flows += assertTimeoutPreemptively(GENEROUS, () -> h.feed(payload)).size();
    }

    private TemplateStore store() {
        return h.netflow().templateStore();
    }

    /** akvorado's mpls.pcap: template 2510 and options template 50310, then 2 flows. */
    private static byte[] mpls() throws IOException {
        return only("akvorado/netflow/mpls.pcap");
    }

    private static byte[] only(String capture) throws IOException {
        return CaptureReader.read(Captures.captures().resolve(capture)).getFirst().payload();
    }

    /** An IPFIX message with the header of {@code real} (export time, sequence) in observation domain {@code domain}. */
    private static TemplateMessage ipfix(byte[] real, long domain) {
        ByteBuffer b = ByteBuffer.wrap(real);
        return TemplateMessage.ipfix(domain, b.getInt(4) & 0xFFFF_FFFFL, b.getInt(8) & 0xFFFF_FFFFL);
    }

    /** The same, in the domain of {@code real}. */
    private static TemplateMessage ipfix(byte[] real) {
        return ipfix(real, ByteBuffer.wrap(real).getInt(12) & 0xFFFF_FFFFL);
    }

    /** The data set (set id 2510) of mpls.pcap, cut out of the real datagram. */
    private static byte[] mplsDataSet(byte[] mpls) {
        ByteBuffer b = ByteBuffer.wrap(mpls);
        for (int p = 16; p + 4 <= mpls.length; p += b.getShort(p + 2) & 0xFFFF) {
            if ((b.getShort(p) & 0xFFFF) == 2510) return Arrays.copyOfRange(mpls, p, p + (b.getShort(p + 2) & 0xFFFF));
        }
        throw new AssertionError("no data set in mpls.pcap");
    }

    @Test
    void ipfixWithdrawalOfOneTemplateThenAllTerminatesAndForgets() throws IOException {
        byte[] mpls = mpls();
        feed(0, mpls);
        assertEquals(2, store().templateCount());
        assertEquals(2, flows);

        // Withdraw 2510 (the case that looped forever in a peer): the data that follows must wait.
        feed(1, ipfix(mpls).set(2).withdraw(2510).bytes(mplsDataSet(mpls)).build());
        assertEquals(1, store().templateCount());
        assertEquals(2, flows);
        assertEquals(1, store().pendingSets());

        // Re-learning the template decodes the parked set; then withdraw-all of each kind.
        feed(2, mpls);
        assertEquals(2 + 2 + 2, flows);
        assertEquals(0, store().pendingSets());
        feed(3, ipfix(mpls).set(2).withdraw(2).build());
        assertEquals(1, store().templateCount(), "withdraw-all templates keeps the options template");
        feed(4, ipfix(mpls).set(3).withdraw(3).build());
        assertEquals(0, store().templateCount());

        // Hostile: many withdrawals (also of unknown and reserved ids) in one set, then trailing padding.
        int[] ids = new int[2000];
        for (int i = 0; i < ids.length; i++) ids[i] = i % 3 == 0 ? 2 : 256 + i;
        feed(5, ipfix(mpls).set(2).withdraw(ids).bytes(new byte[3]).build());
        // A withdrawal set whose length says 4 (no records) and one cut in the middle of a record.
        byte[] cut = Arrays.copyOfRange(ipfix(mpls).set(3).withdraw(3, 3).build(), 16, 16 + 10);
        feed(6, ipfix(mpls).set(2).bytes(cut).build());
        assertEquals(0, h.stats().errors(DecodeError.MALFORMED));
    }

    @Test
    void redefinedTemplateReplacesTheOldOne() throws IOException {
        byte[] mpls = mpls();
        feed(0, mpls);
        // Redefine 2510 as a 2-field template (sourceIPv6Address, octetDeltaCount): 24-byte records.
        TemplateMessage m = ipfix(mpls).templateSet(2510, field(Ie.SOURCE_IPV6_ADDRESS, 16), field(Ie.OCTET_DELTA_COUNT, 8)).set(2510);
        m.body().put(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}).putLong(4242);
        long before = flows;
        feed(1, m.build());
        assertEquals(before + 1, flows);
        assertEquals(2, store().templateCount());
    }

    @Test
    void parkedSetsAreBoundedInCountAndCountedWhenDropped() throws IOException {
        h = new DecodeHarness(NetflowConfig.defaults().withPending(2, Duration.ofSeconds(60)));
        for (int i = 0; i < 5; i++) feed(i, only("goflow2/nfv9-data260.bin"));
        assertEquals(2, store().pendingSets());
        assertEquals(3, store().expiredSets());
        assertEquals(0, flows);
        feed(10, only("goflow2/nfv9-template260.bin"));
        assertEquals(2 * 21, flows); // the two newest waited and are decoded
        assertEquals(0, store().pendingSets());
    }

    @Test
    void parkedSetsExpireByAge() throws IOException {
        byte[] template = only("goflow2/nfv9-template260.bin");
        byte[] data = only("goflow2/nfv9-data260.bin");
        h = new DecodeHarness(NetflowConfig.defaults().withPending(100, Duration.ofSeconds(1)));
        feed(0, data);
        feed(2 * SECOND, data);
        feed(2 * SECOND + SECOND / 2, template);
        assertEquals(21, flows, "only the set younger than 1 s is decoded");
        assertEquals(1, store().expiredSets());

        // Without any further datagram of that exporter, the idle sweep expires what waits.
        h = new DecodeHarness(NetflowConfig.defaults().withPending(100, Duration.ofSeconds(1)));
        feed(0, data);
        assertEquals(0, store().expire(SECOND / 2));
        assertEquals(1, store().expire(3 * SECOND));
        assertEquals(0, store().pendingSets());
        assertEquals(1, store().expiredSets());
    }

    @Test
    void theStoreIsBoundedOverallInTemplatesAndParkedSets() throws IOException {
        byte[] mpls = mpls();
        byte[] data = only("goflow2/nfv9-data260.bin");
        h = new DecodeHarness(NetflowConfig.defaults().withLimits(3, 1));
        feed(0, mpls); // template 2510 then options template 50310: the second is refused
        assertEquals(1, store().templateCount());
        assertEquals(1, store().refusedTemplates());
        assertEquals(1, h.stats().errors(DecodeError.BAD_TEMPLATE));
        feed(1, mpls); // a refresh of the kept template still passes; the other is refused again
        assertEquals(2, store().refusedTemplates());
        assertEquals(2, store().pendingSets()); // the options data of the refused template waits

        for (int exporter = 1; exporter <= 5; exporter++) feed(exporter, 2, data); // 5 spoofed sources
        assertEquals(3, store().pendingSets()); // the overall bound
        assertEquals(4, store().expiredSets());
        assertEquals(2, store().pendingExporters());
        // The idle sweep expires them by age and forgets the exporters whose buffers are then empty.
        assertEquals(3, store().expire(Duration.ofMinutes(5).toNanos()));
        assertEquals(0, store().pendingExporters());
        feed(1, Duration.ofMinutes(6).toNanos(), data); // a forgotten exporter parks again
        assertEquals(1, store().pendingSets());
    }

    @Test
    void sameTemplateIdInTwoObservationDomainsAreDistinct() throws IOException {
        byte[] mpls = mpls();
        feed(0, mpls);
        long domain = ByteBuffer.wrap(mpls).getInt(12) & 0xFFFF_FFFFL;
        feed(1, ipfix(mpls, domain ^ 1).bytes(mplsDataSet(mpls)).build()); // another domain: its template 2510 is unknown
        assertEquals(2, flows);
        assertEquals(1, store().pendingSets());
        assertTrue(store().templateCount() == 2);
    }
}

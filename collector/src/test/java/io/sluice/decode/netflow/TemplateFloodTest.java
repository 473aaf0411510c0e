package io.sluice.decode.netflow;

import static io.sluice.testing.TemplateMessage.field;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.DecodeError;
import io.sluice.decode.template.StoreBounds;
import io.sluice.decode.template.Template;
import io.sluice.decode.template.TemplateKey;
import io.sluice.decode.template.TemplateStore;
import io.sluice.testing.DecodeHarness;
import io.sluice.testing.TemplateMessage;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 14's template flood and lock-out, through the real IPFIX decoder and store: spoofed exporters
 * each sending 50 templates of 512 fields, data sets that never find a template, then a real exporter.
 * The store's byte bounds hold, whole idle exporters are evicted, and the real exporter decodes from
 * its first template on; counters add up exactly.
 */
class TemplateFloodTest {
    private static final int FIELDS = 512;
    private static final long FOOTPRINT = 256 + 24L * FIELDS;

    /** 25 templates of {@code FIELDS} fields (ids 256 + offset ..), from one spoofed exporter: ~51 KB. */
    private static byte[] bigTemplates(int offset) {
        TemplateMessage m = TemplateMessage.ipfix(1).set(2);
        int[][] fields = new int[FIELDS][];
        for (int i = 0; i < FIELDS; i++) fields[i] = field(Ie.OCTET_DELTA_COUNT, 4);
        for (int t = 0; t < 25; t++) m.template(256 + offset + t, 0, fields);
        return m.build();
    }

    private static byte[] spoofed(int i) {
        return new byte[] {(byte) 198, 18, (byte) (i >>> 8), (byte) i};
    }

    private static byte[] realTemplateAndData(int flows) {
        TemplateMessage m = TemplateMessage.ipfix(7).templateSet(300,
                field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.DESTINATION_IPV4_ADDRESS, 4), field(Ie.OCTET_DELTA_COUNT, 4));
        m.set(300);
        for (int i = 0; i < flows; i++) m.body().put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2}).putInt(100 + i);
        return m.build();
    }

    @Test
    void aTemplateFloodStaysInsideItsBytesAndARealExporterIsDecodedAtItsFirstTemplate() {
        DecodeHarness h = new DecodeHarness();
        TemplateStore store = h.netflow().templateStore();
        long maxBytes = StoreBounds.defaults().maxTemplateBytes();
        int exporters = 300;
        for (int i = 0; i < exporters; i++) {
            h.from(spoofed(i), 4739).receivedAt(1_000_000_000L * (i + 1));
            h.feed(bigTemplates(0), bigTemplates(25));
        }
        long learnt = 50L * exporters;
        assertEquals(0, store.refusedTemplates());
        assertEquals(learnt, store.templateCount() + store.evictedTemplates(), "every template stored or evicted");
        assertEquals(0, store.evictedTemplates() % 50, "whole exporters are evicted");
        assertEquals(store.templateCount() * FOOTPRINT, store.templateBytes());
        assertTrue(store.templateBytes() <= maxBytes, "bytes bound held: " + store.templateBytes());
        assertTrue(maxBytes - store.templateBytes() < 51 * FOOTPRINT, "the store is full, not emptied");
        assertEquals(0, h.stats().totalErrors());

        // Lock-out: a real exporter arriving after the flood is decoded from its first template on.
        byte[] real = {(byte) 192, 0, 2, 77};
        h.from(real, 2055).receivedAt(2_000_000_000_000L);
        assertEquals(10, h.feed(realTemplateAndData(10)).size());
        // Another flood passes; the real exporter, evicted or not, decodes again from its next refresh.
        h.receivedAt(2_010_000_000_000L).feed(realTemplateAndData(0));
        for (int i = exporters; i < 2 * exporters; i++) {
            h.from(spoofed(i), 4739).receivedAt(2_020_000_000_000L + i);
            h.feed(bigTemplates(0), bigTemplates(25));
        }
        h.from(real, 2055);
        assertEquals(5, h.feed(realTemplateAndData(5)).size());
        assertEquals(0, h.stats().errors(DecodeError.UNKNOWN_TEMPLATE));
        assertEquals(0, store.refusedTemplates());
        assertTrue(store.templateBytes() <= maxBytes);
    }

    @Test
    void parkedDataIsBoundedInBytesAndEveryDroppedSetIsCounted() {
        StoreBounds small = new StoreBounds(64 << 20, 4 << 20, 1024, Duration.ofHours(1), 4 << 20, 256 << 10);
        DecodeHarness h = new DecodeHarness(NetflowConfig.defaults().withBounds(small));
        TemplateStore store = h.netflow().templateStore();
        int sent = 0;
        for (int i = 0; i < 200; i++) {
            h.from(spoofed(i), 4739);
            for (int s = 0; s < 4; s++) { // 4 data sets of 50,000 bytes for templates never sent
                TemplateMessage m = TemplateMessage.ipfix(1).set(400 + s);
                m.body().put(new byte[50_000]);
                h.feed(m.build());
                sent++;
            }
        }
        assertTrue(store.pendingBytes() <= 4 << 20, "total bound: " + store.pendingBytes());
        assertEquals(sent, store.pendingSets() + store.expiredSets(), "parked + dropped = sent");
        assertEquals(store.pendingSets() * 50_200L, store.pendingBytes());
        assertEquals(4 * 1024 * 1024 / 50_200, store.pendingSets(), "as many as the total bound holds");
    }

    @Test
    void idleTemplatesExpireAndRefreshedOnesDoNot() {
        StoreBounds bounds = new StoreBounds(64 << 20, 4 << 20, 1024, Duration.ofMinutes(30), 4 << 20, 1 << 20);
        DecodeHarness h = new DecodeHarness(NetflowConfig.defaults().withBounds(bounds));
        TemplateStore store = h.netflow().templateStore();
        long t0 = 1_700_000_000_000_000_000L;
        h.from(spoofed(1), 4739).receivedAt(t0).feed(realTemplateAndData(0));
        h.from(spoofed(2), 4739).receivedAt(t0).feed(realTemplateAndData(0));
        h.from(spoofed(2), 4739).receivedAt(t0 + Duration.ofMinutes(20).toNanos()).feed(realTemplateAndData(0));
        assertEquals(2, store.templateCount());
        store.expire(t0 + Duration.ofMinutes(31).toNanos());
        assertEquals(1, store.templateCount(), "the exporter that refreshed keeps its template");
        assertEquals(1, store.idleTemplates());
        assertEquals(3, h.from(spoofed(2), 4739).feed(realTemplateAndData(3)).size());
    }

    @Test
    void theTemplateLimitIsExactUnderConcurrentLearners() throws Exception {
        StoreBounds bounds = new StoreBounds(1L << 40, 1L << 40, 1_000_000, Duration.ofHours(1), 0, 0);
        TemplateStore store = new TemplateStore(0, 0, 1, 1_000, bounds);
        byte[] exporter = {10, 1, 1, 1};
        int perThread = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger stored = new AtomicInteger();
        Thread[] threads = new Thread[4];
        for (int n = 0; n < threads.length; n++) {
            int base = n * perThread;
            threads[n] = new Thread(() -> {
                TemplateKey k = new TemplateKey();
                Template t = new Template(256, false, 0, new int[] {1}, new long[] {0}, new int[] {4}, new int[] {0});
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    if (store.put(k.set(exporter, 4, 10, 1, base + i), t)) stored.incrementAndGet();
                    if (store.templateCount() > 1_000) throw new AssertionError("limit exceeded: " + store.templateCount());
                }
            });
            threads[n].start();
        }
        start.countDown();
        for (Thread t : threads) t.join();
        assertEquals(1_000, store.templateCount());
        assertEquals(1_000, stored.get());
        assertEquals(threads.length * perThread - 1_000, store.refusedTemplates());
    }
}

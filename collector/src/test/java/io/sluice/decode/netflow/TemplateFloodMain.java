package io.sluice.decode.netflow;

import static io.sluice.testing.TemplateMessage.field;

import io.sluice.decode.template.TemplateStore;
import io.sluice.testing.DecodeHarness;
import io.sluice.testing.TemplateMessage;

/**
 * Issue 14's flood at its own scale, for {@link TemplateFloodHeapTest} to run in a child JVM with
 * -Xmx512m and the default bounds: 5,000 spoofed exporters x 50 templates of 512 fields (about 3.1 GB
 * of templates unbounded), then 5,000 x 20 parked data sets of 60,000 bytes that never find a template
 * (6 GB unbounded), then a real exporter. Prints one line of counters and the heap used after a GC.
 */
public final class TemplateFloodMain {
    public static void main(String[] args) throws java.io.IOException {
        int exporters = Integer.parseInt(args[0]);
        DecodeHarness h = new DecodeHarness();
        TemplateStore store = h.netflow().templateStore();
        int[][] fields = new int[512][];
        for (int i = 0; i < fields.length; i++) fields[i] = field(Ie.OCTET_DELTA_COUNT, 4);
        byte[][] templates = new byte[2][];
        for (int half = 0; half < 2; half++) {
            TemplateMessage m = TemplateMessage.ipfix(1).set(2);
            for (int t = 0; t < 25; t++) m.template(256 + 25 * half + t, 0, fields);
            templates[half] = m.build();
        }
        TemplateMessage parked = TemplateMessage.ipfix(1).set(999);
        parked.body().put(new byte[60_000]);
        byte[] parkedSet = parked.build();
        long t0 = 1_700_000_000_000_000_000L;
        for (int i = 0; i < exporters; i++) {
            h.from(new byte[] {(byte) 198, (byte) (18 + (i >>> 16)), (byte) (i >>> 8), (byte) i}, 4739).receivedAt(t0 + i * 1_000L);
            h.feed(templates[0], templates[1]);
            for (int s = 0; s < 20; s++) h.feed(parkedSet);
        }
        TemplateMessage real = TemplateMessage.ipfix(7).templateSet(300,
                field(Ie.SOURCE_IPV4_ADDRESS, 4), field(Ie.DESTINATION_IPV4_ADDRESS, 4), field(Ie.OCTET_DELTA_COUNT, 4));
        real.set(300);
        for (int i = 0; i < 10; i++) real.body().put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2}).putInt(i + 1);
        int realFlows = h.from(new byte[] {(byte) 192, 0, 2, 77}, 2055).feed(real.build()).size();
        java.nio.file.Path snapshot = java.nio.file.Files.createTempFile("sluice-flood", ".templates");
        io.sluice.decode.template.TemplateSnapshot.write(store, snapshot);
        long snapshotBytes = java.nio.file.Files.size(snapshot);
        java.nio.file.Files.delete(snapshot);
        System.gc();
        Runtime rt = Runtime.getRuntime();
        long heap = rt.totalMemory() - rt.freeMemory();
        System.out.println("flood templates=" + store.templateCount() + " evicted=" + store.evictedTemplates()
                + " refused=" + store.refusedTemplates() + " templateBytes=" + store.templateBytes()
                + " pendingSets=" + store.pendingSets() + " pendingExpired=" + store.expiredSets()
                + " pendingBytes=" + store.pendingBytes() + " realFlows=" + realFlows + " heapAfterGc=" + heap + " snapshotBytes=" + snapshotBytes);
    }
}

package io.sluice.decode.netflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.decode.template.StoreBounds;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The template and parked-data flood of issue 14 in a JVM of its own with a 512 MiB heap (a 2 GB host's
 * default) and the default bounds: no OutOfMemoryError (the child would exit 3), the bounds hold, the
 * counters add up, a real exporter after the flood is decoded from its first template, and the template
 * snapshot written afterwards stays within half the template byte bound.
 */
class TemplateFloodHeapTest {
    private static final int EXPORTERS = 5_000;

    @Test
    void theIssuesFloodFitsA512MiBHeap() throws Exception {
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                TemplateFloodMain.class.getName(), Integer.toString(EXPORTERS))).redirectErrorStream(true).start();
        String out;
        try {
            if (!p.waitFor(8, TimeUnit.MINUTES)) throw new AssertionError("flood child did not finish");
            out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), out);
        Map<String, Long> v = parse(out);
        StoreBounds d = StoreBounds.defaults();
        long footprint = 256 + 24L * 512;
        // Every spoofed template stored or evicted, plus the real exporter's one (3 fields).
        assertEquals(50L * EXPORTERS + 1, v.get("templates") + v.get("evicted"), out);
        assertEquals(0, v.get("refused"), out);
        assertEquals((v.get("templates") - 1) * footprint + 256 + 24 * 3, v.get("templateBytes"), out);
        assertTrue(v.get("templateBytes") <= d.maxTemplateBytes(), out);
        assertEquals(20L * EXPORTERS, v.get("pendingSets") + v.get("pendingExpired"), out);
        assertTrue(v.get("pendingBytes") <= d.maxPendingBytes(), out);
        assertEquals(10, v.get("realFlows"), out);
        assertTrue(v.get("heapAfterGc") < 384L << 20, "live heap " + v.get("heapAfterGc") + ": " + out);
        // The handover snapshot holds what the store holds: 8 bytes a field against the store's 24.
        assertTrue(v.get("snapshotBytes") <= d.maxTemplateBytes() / 2, "snapshot " + v.get("snapshotBytes"));
    }

    private static Map<String, Long> parse(String out) throws IOException {
        String line = out.lines().filter(l -> l.startsWith("flood ")).findFirst()
                .orElseThrow(() -> new AssertionError("no counters line: " + out));
        Map<String, Long> v = new HashMap<>();
        for (String kv : line.substring(6).split(" ")) {
            String[] p = kv.split("=");
            v.put(p[0], Long.parseLong(p[1]));
        }
        return v;
    }
}

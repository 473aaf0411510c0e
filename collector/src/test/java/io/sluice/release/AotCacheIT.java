package io.sluice.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.testing.Release;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release's AOT cache (bin/dist's training run, JDK 25): a release unpacked anywhere starts with it
 * ({@code -XX:AOTMode=on} makes the JVM refuse to start when the cache cannot be used), and a cache that
 * no longer matches its jars is ignored with a warning on stderr, never on the stdout that carries flows.
 */
class AotCacheIT {
    @TempDir
    Path tmp;

    @Test
    void anUnpackedReleaseStartsFromItsCache() throws Exception {
        Path release = Release.unpack(tmp);
        Path cache = release.resolve("lib/sluice.aot");
        assertTrue(Files.size(cache) > 1_000_000, "bin/dist recorded " + cache);
        Map<String, String> env = Release.noJavaEnvironment(Files.createDirectory(tmp.resolve("empty-path")));
        Map<String, String> strict = new java.util.HashMap<>(env);
        strict.put("SLUICE_JAVA_OPTS", "-XX:AOTMode=on");
        Release.Result check = Release.run(List.of(release.resolve("bin/sluice").toString(), "run", "--check"), strict, Duration.ofMinutes(1));
        assertEquals(0, check.code(), check.output());
        assertTrue(check.output().contains("configuration OK"), check.output());
    }

    @Test
    void aStaleCacheIsIgnoredAndItsWarningStaysOffStdout() throws Exception {
        Path release = Release.unpack(tmp);
        Path jar = release.resolve("lib/sluice.jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 60_000)); // "a jar changed"
        ProcessBuilder pb = new ProcessBuilder(release.resolve("bin/sluice").toString(), "version");
        pb.environment().clear();
        pb.environment().putAll(Release.noJavaEnvironment(Files.createDirectory(tmp.resolve("empty-path"))));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.waitFor());
        assertEquals(1, out.lines().count(), "stdout is the version line alone: " + out);
        assertTrue(out.startsWith("sluice "), out);
        assertTrue(err.contains("aot") || err.contains("AOT") || err.contains("shared archive"), "the JVM says why it ignored the cache: " + err);
    }
}

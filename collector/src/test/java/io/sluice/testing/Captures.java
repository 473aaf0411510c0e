package io.sluice.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Where the shared real captures are: {@code ../shared} beside the repository (never copied into it).
 * When they are missing a test fails in CI (CI is set: they must be there) and skips elsewhere, with a
 * message naming the folder.
 */
public final class Captures {
    private Captures() {}

    /** {@code ../shared/captures}. */
    public static Path captures() {
        return require("captures");
    }

    /** {@code ../shared/bench}. */
    public static Path bench() {
        return require("bench");
    }

    /** {@code ../shared/reference}: upstream projects' own schema files (goflow2, akvorado). */
    public static Path reference() {
        return require("reference");
    }

    /** One capture file under {@code ../shared/captures}, e.g. {@code file("akvorado/netflow/data.pcap")}. */
    public static Path file(String relative) {
        Path p = captures().resolve(relative);
        if (!Files.isRegularFile(p)) fail("capture file missing: " + p.toAbsolutePath());
        return p;
    }

    private static Path require(String name) {
        Path dir = sharedDir().resolve(name);
        if (!Files.isDirectory(dir)) {
            String message = missingMessage(name);
            if (System.getenv("CI") != null) fail(message);
            Assumptions.abort(message);
        }
        return dir;
    }

    /** Why {@code ../shared/<name>} cannot be used, or null when it is there. */
    static String missing(String name) {
        return Files.isDirectory(sharedDir().resolve(name)) ? null : missingMessage(name);
    }

    private static String missingMessage(String name) {
        return "the shared captures folder " + sharedDir().resolve(name).toAbsolutePath().normalize()
                + " is missing (it must sit beside the repository as ../shared/" + name + ")";
    }

    /** ../shared from the repository root, wherever Maven runs the tests (root or module directory). */
    static Path sharedDir() {
        String override = System.getenv("SLUICE_SHARED");
        if (override != null) return Path.of(override);
        Path dir = Path.of("").toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("pom.xml")) && Files.isDirectory(d.resolve("collector"))) {
                return d.getParent().resolve("shared");
            }
        }
        return dir.getParent().resolve("shared");
    }
}

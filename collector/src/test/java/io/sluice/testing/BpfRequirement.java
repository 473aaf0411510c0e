package io.sluice.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.steering.BpfException;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.BpfSteering;
import io.sluice.steering.SteeringMode;
import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need BPF call {@link #assumeBpf()}: when the bundled program cannot load here (no
 * privilege, old kernel, no libbpf), the test fails if CI or SLUICE_REQUIRE_BPF is set, else it is
 * skipped with the reason. Probed once per JVM by really loading the program.
 */
public final class BpfRequirement {
    private static volatile String refusal; // null: not probed yet; "": BPF works
    private BpfRequirement() {}

    public static void assumeBpf() {
        String why = probe();
        if (why.isEmpty()) {
            return;
        }
        String message = "BPF cannot load here: " + why;
        if (required()) {
            fail(message + " (BPF is required: CI or SLUICE_REQUIRE_BPF is set)");
        }
        Assumptions.abort(message + " (set SLUICE_REQUIRE_BPF=1 to fail instead of skipping)");
    }

    public static boolean required() {
        return notBlank(System.getenv("CI")) || notBlank(System.getenv("SLUICE_REQUIRE_BPF"));
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    private static synchronized String probe() {
        if (refusal == null) {
            try (BpfSteering probe = BpfSteering.load(BpfObjectSource.bundled(), SteeringMode.RANDOM, 1)) {
                refusal = "";
            } catch (BpfException | LinkageError e) {
                refusal = e.getMessage();
            }
        }
        return refusal;
    }
}

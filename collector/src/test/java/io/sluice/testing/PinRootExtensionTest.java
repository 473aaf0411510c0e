package io.sluice.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.sluice.handover.BpfFs;
import io.sluice.steering.BpfObjectSource;
import io.sluice.steering.BpfSteering;
import io.sluice.steering.SteeringMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * {@link PinRoot} on the real bpffs: {@link Sample}'s tests run through the JUnit launcher (one of them
 * fails on purpose, after pinning a real map), and every root they were given is gone afterwards.
 */
class PinRootExtensionTest {
    static final List<Path> GIVEN = new CopyOnWriteArrayList<>();
    static volatile boolean launched;
    static volatile Path privateMount;

    @Test
    void eachTestGetsItsOwnRootOnBpffsAndItIsRemovedEvenWhenTheTestFails() throws Exception {
        BpfRequirement.assumeBpf();
        GIVEN.clear();
        launched = true;
        TestExecutionSummary summary;
        try {
            SummaryGeneratingListener listener = new SummaryGeneratingListener();
            LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(Sample.class)).build(), listener);
            summary = listener.getSummary();
        } finally {
            launched = false;
        }
        assertEquals(3, summary.getTestsStartedCount());
        assertEquals(1, summary.getTestsFailedCount(), "only the test that fails on purpose: " + summary.getFailures().stream()
                .map(f -> f.getTestIdentifier().getDisplayName() + ": " + f.getException()).toList());
        assertEquals("pinned, then failed on purpose", summary.getFailures().getFirst().getException().getMessage());
        // three tests: three fields and two parameters, one of them on a private bpffs
        assertEquals(5, GIVEN.size(), GIVEN.toString());
        assertEquals(GIVEN.size(), GIVEN.stream().distinct().count(), "every root is new: " + GIVEN);
        for (Path p : GIVEN) assertFalse(Files.exists(p), p + " was removed");
        String mounts = Files.readString(Path.of("/proc/self/mounts"));
        assertFalse(mounts.contains(" " + privateMount + " "), "the private bpffs was unmounted: " + privateMount);
        assertFalse(Files.exists(privateMount), "its mount point was removed");
    }

    /** Run only by the launcher above (Surefire would run it on its own too: then it says so and stops). */
    static class Sample {
        @PinRoot
        Path field;

        static void launchedOnly() {
            Assumptions.assumeTrue(launched, "run by PinRootExtensionTest");
        }

        static void pinOneMap(Path root) {
            try (BpfSteering steering = BpfSteering.load(BpfObjectSource.bundled(), SteeringMode.RANDOM, 1)) {
                steering.pinMap(root.resolve("listener").resolve("socket_map"));
            }
            assertTrue(Files.exists(root.resolve("listener").resolve("socket_map")));
        }

        @Test
        void aFieldAndAParameterUnderTheStandardMount(@PinRoot Path parameter) throws Exception {
            launchedOnly();
            GIVEN.addAll(List.of(field, parameter));
            assertNotEquals(field, parameter);
            for (Path p : List.of(field, parameter)) {
                assertEquals(BpfFs.STANDARD_MOUNT, p.getParent());
                assertTrue(BpfFs.isBpfFs(p), p + " is on a bpffs");
                assertFalse(Files.exists(p), "not created: sluice creates its pin root");
            }
            pinOneMap(parameter);
        }

        @Test
        void aFailedTestsPinsAreRemovedToo() {
            launchedOnly();
            GIVEN.add(field);
            pinOneMap(field);
            fail("pinned, then failed on purpose");
        }

        @Test
        void aPrivateBpffsOwnedByNobody(@PinRoot(owner = PinRoot.NOBODY) Path owned) throws Exception {
            launchedOnly();
            GIVEN.addAll(List.of(field, owned));
            privateMount = owned.getParent();
            assertTrue(BpfFs.isBpfFs(owned));
            assertNotEquals(BpfFs.STANDARD_MOUNT, owned.getParent());
            assertEquals(PinRoot.NOBODY, Files.getAttribute(owned, "unix:uid"));
            assertEquals(PinRoot.NOBODY, Files.getAttribute(owned.getParent(), "unix:uid"));
            pinOneMap(owned);
        }
    }
}

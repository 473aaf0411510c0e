package io.sluice.steering;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.socket.ReuseportSocketGroup;
import io.sluice.testing.BpfRequirement;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the operator sees when the object, the group size or the kernel is wrong. */
class SteeringErrorTest {
    @TempDir
    Path dir;

    private static ReuseportSocketGroup group(int n) throws Exception {
        return ReuseportSocketGroup.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), n, 0);
    }

    @Test
    void missingObjectNamesTheFile() throws Exception {
        Path missing = dir.resolve("no-such-dir/sluice_reuseport.bpf.o");
        try (ReuseportSocketGroup g = group(2)) {
            BpfObjectException e = assertThrows(BpfObjectException.class,
                    () -> Steering.attachOrFallback("t", g, SteeringMode.RANDOM, BpfObjectSource.file(missing)));
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("not found"), e.getMessage());
        }
    }

    @Test
    void missingResourceNamesIt() {
        BpfObjectException e = assertThrows(BpfObjectException.class,
                () -> BpfSteering.load(BpfObjectSource.classpath("bpf/nothing.bpf.o"), SteeringMode.RANDOM, 2));
        assertTrue(e.getMessage().contains("classpath:bpf/nothing.bpf.o"), e.getMessage());
    }

    @Test
    void corruptObjectNamesTheFile() throws Exception {
        Path corrupt = dir.resolve("corrupt.bpf.o");
        // An ELF magic followed by garbage, and a truncated copy of the real object: both must be refused.
        Files.write(corrupt, "\u007fELF this is not a BPF object".getBytes(StandardCharsets.ISO_8859_1));
        Path truncated = dir.resolve("truncated.bpf.o");
        byte[] real = getClass().getClassLoader().getResourceAsStream(BpfObjectSource.RESOURCE).readAllBytes();
        Files.write(truncated, java.util.Arrays.copyOf(real, 200));
        try (ReuseportSocketGroup g = group(2)) {
            for (Path bad : new Path[] {corrupt, truncated}) {
                BpfObjectException e = assertThrows(BpfObjectException.class,
                        () -> Steering.attachOrFallback("t", g, SteeringMode.RANDOM, BpfObjectSource.file(bad)));
                assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
            }
        }
    }

    @Test
    void moreSocketsThanMapEntriesIsRefusedBeforeTheKernel() throws Exception {
        try (ReuseportSocketGroup g = group(257)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Steering.attachOrFallback("t", g, SteeringMode.RANDOM, BpfObjectSource.bundled()));
            assertTrue(e.getMessage().contains("257") && e.getMessage().contains("256"), e.getMessage());
        }
        // Checked before the object is even read: a missing file is not what gets reported.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BpfSteering.load(BpfObjectSource.file(dir.resolve("absent.o")), SteeringMode.RANDOM, 257));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
    }

    @Test
    void refusedProgramFallsBackToHashWithWarning() throws Exception {
        // Only meaningful where BPF loads at all: then the refusal below is the verifier's.
        BpfRequirement.assumeBpf();
        Path refused = Path.of(getClass().getClassLoader().getResource("bpf/refused.bpf.o").toURI());
        Steering steering;
        String logged;
        try (ReuseportSocketGroup g = group(2); io.sluice.testing.LogCapture log = io.sluice.testing.LogCapture.start()) {
            steering = Steering.attachOrFallback("refused", g, SteeringMode.RANDOM, BpfObjectSource.file(refused));
            steering.close();
            logged = log.lines();
        }
        System.out.println(logged);
        assertFalse(steering.ebpfLoaded());
        assertEquals(SteeringMode.HASH, steering.effectiveMode());
        assertEquals(SteeringMode.RANDOM, steering.requestedMode());
        assertTrue(steering.reason().contains("refused") && steering.reason().contains(refused.toString()),
                steering.reason());
        assertTrue(steering.reason().contains("verifier"), "the verifier's reason should be quoted: " + steering.reason());
        assertTrue(logged.contains("WARN io.sluice.steering.Steering") && logged.contains("falling back"), logged);
        assertThrows(IllegalStateException.class, () -> steering.swap(null));
    }

    @Test
    void hashModeSaysNoProgram() throws Exception {
        try (ReuseportSocketGroup g = group(2);
                Steering s = Steering.attachOrFallback("h", g, SteeringMode.HASH, BpfObjectSource.bundled())) {
            assertFalse(s.ebpfLoaded());
            assertTrue(s.reason().contains("hash"), s.reason());
        }
    }

    @Test
    void modesParseFromConfigNames() {
        assertEquals(SteeringMode.ROUND_ROBIN, SteeringMode.parse("round-robin"));
        assertEquals(SteeringMode.ROUND_ROBIN, SteeringMode.parse("ROUND_ROBIN"));
        assertEquals(SteeringMode.RANDOM, SteeringMode.parse("random"));
        assertEquals(SteeringMode.HASH, SteeringMode.parse("hash"));
        assertThrows(IllegalArgumentException.class, () -> SteeringMode.parse("fastest"));
    }
}

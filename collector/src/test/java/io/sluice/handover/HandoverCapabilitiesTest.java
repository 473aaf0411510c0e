package io.sluice.handover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.testing.PinRoot;
import io.sluice.testing.ChildProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The capability set contrib/systemd/sluice@.service grants is enough for the whole handover: two
 * processes whose bounding set holds only CAP_BPF and CAP_NET_ADMIN (so root has nothing else) load
 * their programs, pin, find and stop each other. bpffs is mounted beforehand, as the unit's
 * privileged ExecStartPre does (mounting needs CAP_SYS_ADMIN, which sluice itself then does not need).
 */
class HandoverCapabilitiesTest {
    /** What the systemd unit grants: CapabilityBoundingSet= and AmbientCapabilities=. */
    static final String CAPS = "+bpf,+net_admin";
    @PinRoot
    Path pinRoot;

    @BeforeEach
    void setUp() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed to drop capabilities");
    }

    static List<String> restricted(String caps) {
        return List.of("/usr/bin/setpriv", "--inh-caps=-all", "--bounding-set=-all," + caps, "--");
    }

    private ChildProcess child(String caps, int port, int sockets) throws IOException {
        return ChildProcess.java(restricted(caps), HandoverChild.class, Integer.toString(port), Integer.toString(sockets),
                "random", pinRoot.toString(), "caps");
    }

    @Test
    void theUnitsCapabilitiesAreEnoughForATakeover() throws Exception {
        try (ChildProcess first = child(CAPS, 0, 2)) {
            String ready = first.awaitLine("READY", Duration.ofSeconds(30));
            Assumptions.assumeFalse(first.output().startsWith("setpriv:"), "cannot drop capabilities here: " + first.output());
            assertEquals("true", ChildProcess.field(ready, "ebpf"), first.output());
            String capEff = Files.readAllLines(Path.of("/proc/" + first.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow();
            // CAP_NET_ADMIN is bit 12, CAP_BPF bit 39: nothing else
            assertEquals(Long.toHexString((1L << 12) | (1L << 39)), Long.toHexString(Long.parseLong(capEff.split("\\s+")[1], 16)), capEff);
            int port = Integer.parseInt(ChildProcess.field(ready, "ports"));
            try (ChildProcess second = child(CAPS, port, 3)) {
                String secondReady = second.awaitLine("READY", Duration.ofSeconds(30));
                assertEquals("true", ChildProcess.field(secondReady, "ebpf"), second.output());
                assertEquals("1", ChildProcess.field(secondReady, "predecessors"), second.output());
                first.awaitLine("DRAINED", Duration.ofSeconds(20));
                assertEquals(0, first.awaitExit(Duration.ofSeconds(10)), first.output());
                assertTrue(second.output().contains("took over from pid " + first.pid()), second.output());
                assertTrue(second.output().contains("pinned the socket map and the owner record"), second.output());
                second.signal("TERM");
                second.awaitLine("DRAINED", Duration.ofSeconds(20));
                assertEquals(0, second.awaitExit(Duration.ofSeconds(10)), second.output());
                assertTrue(second.output().contains("removed its pins"), second.output());
            }
        }
    }

    /** Without CAP_BPF there is no program and no pin; the successor still finds the owner by its sockets. */
    @Test
    void withoutCapBpfTheSuccessorFindsTheOwnerByItsSockets() throws Exception {
        try (ChildProcess first = child("+net_admin", 0, 2)) {
            String ready = first.awaitLine("READY", Duration.ofSeconds(30));
            Assumptions.assumeFalse(first.output().startsWith("setpriv:"), "cannot drop capabilities here: " + first.output());
            assertEquals("false", ChildProcess.field(ready, "ebpf"), first.output());
            assertTrue(first.output().contains("cannot pin the handover state"), first.output());
            int port = Integer.parseInt(ChildProcess.field(ready, "ports"));
            try (ChildProcess second = child("+net_admin", port, 2)) {
                second.awaitLine("READY", Duration.ofSeconds(30));
                assertTrue(second.output().contains("took over from pid " + first.pid() + " (found by its sockets bound to"),
                        second.output());
                first.awaitLine("DRAINED", Duration.ofSeconds(20));
                assertEquals(0, first.awaitExit(Duration.ofSeconds(10)), first.output());
                second.signal("TERM");
                assertEquals(0, second.awaitExit(Duration.ofSeconds(20)), second.output());
            }
        }
    }
}

package io.sluice.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.ReplayCommand;
import io.sluice.handover.BpfFs;
import io.sluice.handover.HandoverSettings;
import io.sluice.testing.Captures;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.Release;
import io.sluice.testing.SharedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The .deb on this machine: built with dpkg-deb (bin/deb), installed with dpkg -i, its files, user and
 * units checked, the installed binary run with the installed configuration as systemd would run the unit
 * (user sluice, only CAP_BPF and CAP_NET_ADMIN; these machines do not boot systemd), flows into Kafka,
 * then dpkg --purge leaving nothing behind.
 */
@ExtendWith(SharedKafka.class)
class DebIT {
    private static final List<String> LEFT_BEHIND = List.of("/opt/sluice", "/etc/sluice", "/var/lib/sluice",
            "/usr/bin/sluice", "/usr/sbin/sluice-upgrade", "/lib/systemd/system/sluice@.service");

    @TempDir
    Path tmp;

    private static Release.Result sh(String... command) throws Exception {
        return Release.run(List.of(command), Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin", "LANG", "C.UTF-8"), Duration.ofMinutes(5));
    }

    private static String ok(String... command) throws Exception {
        Release.Result r = sh(command);
        assertEquals(0, r.code(), String.join(" ", command) + ":\n" + r.output());
        return r.output();
    }

    @Test
    void installRunPurge(KafkaBroker kafka) throws Exception {
        boolean ci = System.getenv("CI") != null;
        boolean able = "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/dpkg-deb"))
                && Files.isExecutable(Path.of("/usr/bin/setpriv"));
        if (!ci) Assumptions.assumeTrue(able, "needs root, dpkg-deb and setpriv (bin/setup installs them)");
        if (sh("dpkg-query", "-W", "sluice").code() == 0) ok("dpkg", "--purge", "sluice"); // a previous run's leftover

        String built = ok(Release.repoRoot().resolve("bin/deb").toString());
        Path deb = Path.of(built.trim().replaceAll("(?s).*deb: ", ""));
        assertTrue(Files.isRegularFile(deb), built);
        String info = ok("dpkg-deb", "--info", deb.toString());
        assertTrue(info.contains("Depends: libbpf1"), info);

        ok("dpkg", "-i", deb.toString());
        try {
            for (String f : List.of("/opt/sluice/current/bin/sluice", "/opt/sluice/current/runtime/bin/java", "/usr/bin/sluice",
                    "/lib/systemd/system/sluice@.service", "/etc/sluice/sluice.yaml", "/usr/sbin/sluice-upgrade")) {
                assertTrue(Files.exists(Path.of(f)), f);
            }
            assertEquals("/etc/sluice/sluice.yaml", ok("dpkg-query", "-W", "-f=${Conffiles}", "sluice").trim().split("\\s+")[0]);
            String user = ok("getent", "passwd", "sluice");
            int uid = Integer.parseInt(user.split(":")[2]);
            assertTrue(uid < 1000 && user.trim().endsWith(":/var/lib/sluice:/usr/sbin/nologin"), "a system user: " + user);
            assertEquals("sluice:sluice 750", ok("stat", "-c", "%U:%G %a", "/var/lib/sluice").trim());
            if (Files.isExecutable(Path.of("/usr/bin/systemd-analyze"))) {
                Release.Result verify = sh("systemd-analyze", "verify", "sluice@blue.service");
                assertEquals(0, verify.code(), "systemd-analyze verify: " + verify.output());
            } else {
                assertFalse(ci, "systemd-analyze is missing (bin/setup installs systemd)");
            }
            assertTrue(ok("/usr/bin/sluice", "--version").startsWith("sluice "));
            // the AOT cache made by bin/dist still matches its jars once dpkg installed them (-XX:AOTMode=on: or no start)
            Release.Result strict = Release.run(List.of("/usr/bin/sluice", "--version"), Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin",
                    "SLUICE_JAVA_OPTS", "-XX:AOTMode=on"), Duration.ofMinutes(1));
            assertEquals(0, strict.code(), "the installed release starts from its AOT cache:\n" + strict.output());

            runAsTheUnitWould(kafka);
        } finally {
            ok("dpkg", "--purge", "sluice");
        }
        for (String f : LEFT_BEHIND) assertFalse(Files.exists(Path.of(f)), "left behind: " + f);
        assertEquals(2, sh("getent", "passwd", "sluice").code(), "user sluice removed");
        assertEquals(2, sh("getent", "group", "sluice").code(), "group sluice removed");
        assertEquals(1, sh("dpkg-query", "-W", "sluice").code(), "package gone");
    }

    /**
     * The unit's ExecStart with the installed configuration: as user sluice with the unit's ambient
     * capabilities, the environment a /etc/sluice/blue.env would give (broker, ports that are free here,
     * a pin root of its own so that the test does not touch a real sluice's pins).
     */
    private void runAsTheUnitWould(KafkaBroker kafka) throws Exception {
        kafka.createTopic("deb-flows", 2);
        kafka.createTopic("deb-counters", 1);
        kafka.createTopic("deb-drops", 1);
        BpfFs.ensureMounted(HandoverSettings.DEFAULT_PIN_ROOT);
        Path pinRoot = BpfFs.STANDARD_MOUNT.resolve("sluice-debit-" + ProcessHandle.current().pid());
        ok("chmod", "o+x", BpfFs.STANDARD_MOUNT.toString()); // the unit's ExecStartPre: bpffs traversable, the pin root sluice's
        ok("install", "-d", "-o", "sluice", "-g", "sluice", "-m", "0700", pinRoot.toString());
        int[] ports = {Release.freeUdpPort(), Release.freeUdpPort(), Release.freeUdpPort()};
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "PATH", "/usr/bin:/bin", "SLUICE_STATE", "/var/lib/sluice", "HOME", "/var/lib/sluice",
                "SLUICE_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers(),
                "SLUICE_KAFKA_TOPIC", "deb-flows", "SLUICE_KAFKA_COUNTERS_TOPIC", "deb-counters", "SLUICE_KAFKA_DROPS_TOPIC", "deb-drops",
                "SLUICE_METRICS_LISTEN", "127.0.0.1:0", "SLUICE_HANDOVER_PIN_ROOT", pinRoot.toString()));
        for (int i = 0; i < 3; i++) env.put("SLUICE_LISTENERS_" + i + "_ADDRESS", "127.0.0.1:" + ports[i]);
        List<String> command = new ArrayList<>(List.of("/usr/bin/setpriv", "--reuid=sluice", "--regid=sluice", "--init-groups",
                "--inh-caps=-all,+bpf,+net_admin", "--ambient-caps=-all,+bpf,+net_admin", "--bounding-set=-all,+bpf,+net_admin",
                "--no-new-privs", "--",
                "/opt/sluice/current/bin/sluice", "run", "--config", "/etc/sluice/sluice.yaml"));
        Path log = tmp.resolve("unit.log");
        Process p = Release.startLogged(command, env, log);
        try {
            DistIT.awaitLine(log, "listening on /127.0.0.1:" + ports[2], Duration.ofSeconds(60), p);
            String status = Files.readString(Path.of("/proc/" + p.pid() + "/status"));
            assertTrue(status.contains("CapEff:\t" + String.format("%016x", (1L << 12) | (1L << 39))), "CAP_BPF and CAP_NET_ADMIN only:\n" + status);
            Path capture = Captures.bench().resolve("softflowd-nfv5.pcap");
            assertEquals(0, ReplayCommand.main(new String[] {"--to", "127.0.0.1:" + ports[0], "--rate", "0", capture.toString()}));
            long n = kafka.awaitRecordCount("deb-flows", 1000, Duration.ofSeconds(60));
            assertTrue(n >= 1000, "flows in Kafka: " + n + "\n" + Files.readString(log));
            String logged = Files.readString(log);
            assertTrue(logged.contains("eBPF steering: on"), "the unit's capabilities load the program:\n" + logged);
        } finally {
            int code = Release.stop(p, Duration.ofSeconds(60));
            ok("rm", "-rf", pinRoot.toString());
            assertEquals(0, code, Files.readString(log));
        }
    }
}

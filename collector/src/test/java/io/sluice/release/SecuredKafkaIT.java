package io.sluice.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.cli.ReplayCommand;
import io.sluice.testing.Captures;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.Release;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented TLS + SASL/SCRAM set-up (docs/configuration.md, "Secured Kafka") against a real broker
 * with a SASL_SSL listener: a CA and the broker's key made here with keytool, the password kept out of the
 * YAML through Kafka's config providers (a file, or the environment). The release's bin/sluice runs it.
 */
class SecuredKafkaIT {
    private static final String PASSWORD = "s3cret-Pa55";
    @TempDir
    static Path tmp;
    static Path release;
    static Path truststore;
    static KafkaBroker kafka;

    @BeforeAll
    static void brokerWithTls() throws Exception {
        release = Release.unpack(Files.createDirectories(tmp.resolve("unpacked")));
        Path pki = Files.createDirectories(tmp.resolve("pki"));
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        String pw = "changeit";
        keytool(keytool, "-genkeypair", "-alias", "ca", "-dname", "CN=sluice test CA", "-ext", "bc:c", "-keyalg", "EC",
                "-validity", "2", "-keystore", pki.resolve("ca.p12").toString(), "-storepass", pw);
        keytool(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", pki.resolve("ca.p12").toString(), "-storepass", pw,
                "-file", pki.resolve("ca.pem").toString());
        keytool(keytool, "-genkeypair", "-alias", "broker", "-dname", "CN=localhost", "-keyalg", "EC", "-validity", "2",
                "-keystore", pki.resolve("broker.p12").toString(), "-storepass", pw);
        keytool(keytool, "-certreq", "-alias", "broker", "-keystore", pki.resolve("broker.p12").toString(), "-storepass", pw,
                "-file", pki.resolve("broker.csr").toString());
        keytool(keytool, "-gencert", "-rfc", "-alias", "ca", "-keystore", pki.resolve("ca.p12").toString(), "-storepass", pw,
                "-infile", pki.resolve("broker.csr").toString(), "-outfile", pki.resolve("broker.pem").toString(),
                "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2");
        keytool(keytool, "-importcert", "-noprompt", "-alias", "ca", "-file", pki.resolve("ca.pem").toString(),
                "-keystore", pki.resolve("broker.p12").toString(), "-storepass", pw);
        keytool(keytool, "-importcert", "-alias", "broker", "-file", pki.resolve("broker.pem").toString(),
                "-keystore", pki.resolve("broker.p12").toString(), "-storepass", pw);
        truststore = pki.resolve("kafka-ca.p12");
        keytool(keytool, "-importcert", "-noprompt", "-alias", "ca", "-file", pki.resolve("ca.pem").toString(),
                "-keystore", truststore.toString(), "-storepass", pw);
        kafka = KafkaBroker.startSecured(pki.resolve("broker.p12"), pw);
        kafka.addScramUser("sluice", PASSWORD);
        kafka.createTopic("sasl-flows", 2);
        kafka.createTopic("sasl-counters", 1);
    }

    @AfterAll
    static void stop() {
        if (kafka != null) kafka.close();
    }

    private static void keytool(String... command) throws Exception {
        Release.Result r = Release.run(List.of(command), Map.of("PATH", "/usr/bin:/bin"), Duration.ofMinutes(1));
        assertEquals(0, r.code(), String.join(" ", command) + ":\n" + r.output());
    }

    /** docs/configuration.md's example, with the password reference {@code secret}. */
    private static Path config(String name, String secret, String providers) throws Exception {
        Path f = tmp.resolve(name + ".yaml");
        Files.writeString(f, """
                listeners: [{address: "127.0.0.1:%d"}]
                metrics: {listen: "127.0.0.1:0"}
                handover: {enabled: false}
                kafka:
                  bootstrap-servers: %s
                  topic: sasl-flows
                  counters-topic: sasl-counters
                  drops-topic: sasl-counters
                  startup-timeout: 60s  # the first TLS + SCRAM handshakes of a cold JVM on a busy machine
                  producer:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-512
                    ssl.truststore.location: %s
                    ssl.truststore.type: PKCS12
                    ssl.truststore.password: changeit
                    config.providers: %s
                    config.providers.file.class: org.apache.kafka.common.config.provider.FileConfigProvider
                    config.providers.env.class: org.apache.kafka.common.config.provider.EnvVarConfigProvider
                    sasl.jaas.config: >-
                      org.apache.kafka.common.security.scram.ScramLoginModule required
                      username="sluice" password="%s";
                """.formatted(Release.freeUdpPort(), kafka.securedBootstrapServers(), truststore, providers, secret));
        return f;
    }

    private static void deliversFlows(Path config, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = new HashMap<>(Release.noJavaEnvironment(Files.createDirectories(tmp.resolve("empty"))));
        env.putAll(extraEnv);
        String port = Files.readString(config).replaceAll("(?s).*listeners: \\[\\{address: \"127\\.0\\.0\\.1:(\\d+)\".*", "$1");
        Path log = tmp.resolve(config.getFileName() + ".log");
        long before = kafka.recordCount("sasl-flows");
        Release.Result check = Release.run(List.of(release.resolve("bin/sluice").toString(), "run", "--check", "--config", config.toString()),
                env, Duration.ofMinutes(1));
        assertEquals(0, check.code(), check.output());
        Process p = Release.startLogged(new ArrayList<>(List.of(release.resolve("bin/sluice").toString(), "run", "--config", config.toString())), env, log);
        try {
            DistIT.awaitLine(log, "listening", Duration.ofSeconds(90), p);
            Path capture = Captures.bench().resolve("softflowd-nfv5.pcap");
            assertEquals(0, ReplayCommand.main(new String[] {"--to", "127.0.0.1:" + port, "--rate", "0", capture.toString()}));
            long n = kafka.awaitRecordCount("sasl-flows", before + 1000, Duration.ofSeconds(60));
            assertTrue(n >= before + 1000, "flows over SASL_SSL: " + (n - before) + "\n" + Files.readString(log));
        } finally {
            assertEquals(0, Release.stop(p, Duration.ofSeconds(60)), Files.readString(log));
        }
        assertTrue(!Files.readString(log).contains(PASSWORD), "the password is never logged");
    }

    @Test
    void passwordFromAFile() throws Exception {
        Path secret = tmp.resolve("kafka-secret.properties");
        Files.writeString(secret, "password=" + PASSWORD + "\n");
        deliversFlows(config("file", "${file:" + secret + ":password}", "file"), Map.of());
    }

    @Test
    void passwordFromTheEnvironment() throws Exception {
        deliversFlows(config("env", "${env:KAFKA_PASSWORD}", "env"), Map.of("KAFKA_PASSWORD", PASSWORD));
    }

    @Test
    void wrongPasswordStopsWithOneLineNamingTheKey() throws Exception {
        Path config = config("wrong", "${env:KAFKA_PASSWORD}", "env");
        Map<String, String> env = new HashMap<>(Release.noJavaEnvironment(Files.createDirectories(tmp.resolve("empty"))));
        env.put("KAFKA_PASSWORD", "not-the-password");
        Release.Result r = Release.run(List.of(release.resolve("bin/sluice").toString(), "run", "--config", config.toString()),
                env, Duration.ofMinutes(1));
        assertEquals(2, r.code(), r.output());
        List<String> lines = Release.lines(r.output());
        assertEquals(1, lines.size(), "one line:\n" + r.output());
        assertTrue(lines.get(0).matches(".* ERROR \\[main] RunCommand: cannot start: kafka\\.producer\\.sasl\\.jaas\\.config: "
                + "the broker refused the SASL login: .*invalid credentials.*"), r.output());
    }
}

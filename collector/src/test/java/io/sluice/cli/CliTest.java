package io.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.ConfigLoader;
import io.sluice.config.ConfigPrinter;
import io.sluice.config.SluiceConfig;
import io.sluice.metrics.BuildInfo;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as an operator meets it: version, help per command, typed option errors, --check, --print-config. */
class CliTest {
    private record Result(int code, String out, String err) {}

    private static Result sluice(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandLine cli = new CommandLine(new Main());
        CommandLine withEnv = new CommandLine(new Main(), new CommandLine.IFactory() {
            @Override
            @SuppressWarnings("unchecked")
            public <K> K create(Class<K> cls) throws Exception {
                if (cls == RunCommand.class) {
                    return (K) new RunCommand(env);
                }
                return CommandLine.defaultFactory().create(cls);
            }
        });
        int code = Main.execute(env == null ? cli : withEnv, args, o, e);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static Result sluice(String... args) {
        return sluice(null, args);
    }

    @Test
    void versionNamesTheBuildAndTheRuntime() {
        BuildInfo build = BuildInfo.current();
        assertTrue(build.version().matches("\\d+\\.\\d+\\.\\d+.*"), build.version()); // the build wrote it (bin/build-info)
        assertTrue(!build.revision().equals("unknown"), "the build knows its git revision");
        for (String arg : new String[] {"--version", "version"}) {
            Result r = sluice(arg);
            assertEquals(0, r.code, r.err);
            assertEquals("sluice " + build.version() + " (revision " + build.revision() + ", Java " + Runtime.version() + ")\n", r.out);
        }
    }

    @Test
    void helpOfACommandAndUsageErrorsNamingTheOption() {
        Result help = sluice("help", "replay");
        assertEquals(0, help.code);
        assertTrue(help.out.contains("Usage: sluice replay") && help.out.contains("--rate=N"), help.out);

        Result rate = sluice("replay", "--to", "127.0.0.1:9", "--rate", "fast", "x.pcap");
        assertEquals(2, rate.code);
        assertTrue(rate.err.startsWith("Invalid value for option '--rate': 'fast' is not a double"), rate.err);

        Result none = sluice();
        assertEquals(2, none.code);
        assertTrue(none.err.contains("Usage: sluice"), none.err);

        Result unknown = sluice("frobnicate");
        assertEquals(2, unknown.code);
        assertTrue(unknown.err.contains("Unmatched argument at index 0: 'frobnicate'"), unknown.err);
    }

    @Test
    void decodeOfADirectoryNamesIt(@TempDir Path dir) {
        Result r = sluice("decode", dir.toString());
        assertEquals(2, r.code);
        assertTrue(r.err.startsWith("cannot read " + dir + ": it is a directory"), r.err);
    }

    @Test
    void checkValidatesProducerPropertiesByName() {
        Result ok = sluice("run", "--check", "--kafka.producer.linger.ms=5");
        assertEquals(0, ok.code, ok.err);
        assertTrue(ok.out.startsWith("configuration OK: 3 listener(s), output kafka"), ok.out);

        Result typo = sluice("run", "--check", "--kafka.producer.linger.mss=5");
        assertEquals(2, typo.code);
        assertTrue(typo.err.contains("invalid configuration: kafka.producer.linger.mss: not a Kafka producer property"), typo.err);

        Result value = sluice("run", "--check", "--kafka.producer.compression.type=bogus");
        assertEquals(2, value.code);
        assertTrue(value.err.contains("invalid configuration: kafka.producer: the producer rejects its configuration"), value.err);
    }

    @Test
    void printConfigShowsFileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, """
                listeners: [{address: "127.0.0.1:2055"}]
                kafka: {bootstrap-servers: "file:9092", topic: from-file}
                """);
        Map<String, String> env = Map.of(
                "SLUICE_KAFKA_BOOTSTRAP_SERVERS", "env:9092",
                "SLUICE_KAFKA_TOPIC", "from-env",
                "SLUICE_LISTENERS_0_WORKERS", "3",
                "SLUICE_KAFKA_PRODUCER_LINGER_MS", "7",
                "SLUICE_KAFKA_PRODUCER_SASL_JAAS_CONFIG", "literal secret",
                "SLUICE_JAVA_OPTS", "-Xmx1g"); // a launcher's variable, not a key: left alone
        Result r = sluice(env, "run", "--config", file.toString(), "--print-config", "--kafka.topic=from-flag");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("bootstrap-servers: env:9092"), r.out);
        assertTrue(r.out.contains("topic: from-flag"), r.out);
        assertTrue(r.out.contains("workers: 3"), r.out);
        assertTrue(r.out.contains("linger.ms: 7") || r.out.contains("linger.ms: \"7\""), r.out);
        assertTrue(r.out.contains("sasl.jaas.config: (hidden)") && !r.out.contains("literal secret"), r.out);
        assertTrue(r.out.contains("max-templates: 100000"), "defaults shown too: " + r.out);
    }

    @Test
    void printedConfigReadsBackToTheSameConfig(@TempDir Path dir) throws Exception {
        SluiceConfig c = ConfigLoader.load(new String[] {"--kafka.producer.linger.ms=5", "--sampling.exporters.192.0.2.1=100",
                "--listeners[1].steering=hash", "--output.type=file", "--kafka.create-topics.enabled=true"});
        Path file = dir.resolve("printed.yaml");
        Files.writeString(file, ConfigPrinter.toYaml(c));
        assertEquals(c, ConfigLoader.load(new String[] {"--config", file.toString()}));
    }

    @Test
    void environmentSetsKeysAnEmptyFileDoesNotMention() {
        Result r = sluice(Map.of("SLUICE_KAFKA_BOOTSTRAP_SERVERS", "env:9092", "SLUICE_LISTENERS_0_ADDRESS", "127.0.0.1:2055",
                "SLUICE_HANDOVER_ENABLED", "false"), "run", "--config", "/dev/null", "--print-config");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("bootstrap-servers: env:9092") && r.out.contains("address: 127.0.0.1:2055")
                && r.out.contains("enabled: false"), r.out);
    }

    @Test
    void bashCompletionScript() {
        Result r = sluice("generate-completion");
        assertEquals(0, r.code, r.err);
        assertTrue(r.out.contains("complete -F _complete_sluice") && r.out.contains("replay") && r.out.contains("--print-config"), r.out);
    }
}

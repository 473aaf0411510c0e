package io.sluice.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.output.BackpressurePolicy;
import io.sluice.output.FileOutput;
import io.sluice.output.PartitionKey;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static ConfigException rejected(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.fromYaml(yaml));
    }

    private static void assertProblem(ConfigException e, String key, String fragment) {
        assertEquals(key, e.key(), e.getMessage());
        assertTrue(e.problem().contains(fragment), "'" + e.problem() + "' should say '" + fragment + "'");
    }

    @Test
    void embeddedDefaultListensOnTheStandardPortsAndTalksToLocalKafka() throws Exception {
        SluiceConfig c = ConfigLoader.load(new String[0]);
        assertEquals(3, c.listeners().size());
        assertEquals(2055, c.listeners().get(0).address().getPort());
        assertEquals(4739, c.listeners().get(1).address().getPort());
        assertEquals(6343, c.listeners().get(2).address().getPort());
        assertEquals(io.sluice.steering.SteeringMode.RANDOM, c.listeners().get(0).steering());
        assertEquals("localhost:9092", c.kafka().bootstrapServers());
        assertEquals("flows", c.kafka().flowsTopic());
        assertEquals(4096, c.batching().flows());
        assertEquals(Duration.ofMillis(100), c.batching().maxAge());
        assertEquals(BackpressurePolicy.DROP, c.kafka().backpressure());
        assertEquals(io.sluice.output.OutputType.KAFKA, c.output().type());
        assertEquals(8080, c.metricsListen().getPort());
        assertEquals(InetAddress.getByName("127.0.0.1"), c.metricsListen().getAddress());
        assertEquals(io.sluice.decode.template.StoreBounds.defaults(), c.netflow().bounds());
    }

    @Test
    void everyKeyFromAFileThenFlagsOnTop(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, """
                listeners:
                  - address: "[::1]:9995"
                    protocol: ipfix
                    workers: 4
                    steering: round-robin
                    rcvbuf: 1048576
                kafka:
                  bootstrap-servers: k1:9092,k2:9093
                  topic: t1
                  counters-topic: t2
                  drops-topic: t3
                  partition-key: five-tuple
                  startup-timeout: 3s
                  producer:
                    linger.ms: 5
                    compression.type: zstd
                batching: {flows: 1000, max-age: 50ms}
                backpressure: block
                output: {type: file, file: {path: /tmp/x.pb, format: protobuf, counters-path: /tmp/c.pb, drops-path: /tmp/d.pb}}
                metrics: {listen: "0.0.0.0:9100"}
                sampling: {default: 100, exporters: {192.0.2.1: 1000, "2001:db8::1": 2000}}
                templates: {pending-max-sets: 10, pending-max-total: 100, pending-max-age: 5s, max-templates: 50,
                            max-bytes: 1000000, max-bytes-per-exporter: 20000, max-per-exporter: 7, idle-timeout: 10m,
                            pending-max-bytes: 300000, pending-max-bytes-per-exporter: 4000}
                shutdown-timeout: 7s
                """);
        SluiceConfig c = ConfigLoader.load(new String[] {"--config", file.toString(), "--set", "kafka.topic=t9",
                "--listeners[0].workers=8", "--kafka.producer.batch.size", "1000", "--sampling.exporters.192.0.2.1=5"});
        SluiceConfig.Listener l = c.listeners().get(0);
        assertEquals(InetAddress.getByName("::1"), l.address().getAddress());
        assertEquals(9995, l.address().getPort());
        assertEquals(io.sluice.decode.ListenerProtocol.IPFIX, l.protocol());
        assertEquals(8, l.workers());
        assertEquals(io.sluice.steering.SteeringMode.ROUND_ROBIN, l.steering());
        assertEquals(1048576, l.rcvbuf());
        assertEquals("k1:9092,k2:9093", c.kafka().bootstrapServers());
        assertEquals("t9", c.kafka().flowsTopic());
        assertEquals("t2", c.kafka().countersTopic());
        assertEquals("t3", c.kafka().dropsTopic());
        assertEquals(PartitionKey.FIVE_TUPLE, c.kafka().partitionKey());
        assertEquals(Duration.ofSeconds(3), c.kafka().startupTimeout());
        assertEquals("5", c.kafka().producerProperties().get("linger.ms"));
        assertEquals("zstd", c.kafka().producerProperties().get("compression.type"));
        assertEquals("1000", c.kafka().producerProperties().get("batch.size"));
        assertEquals(1000, c.batching().flows());
        assertEquals(Duration.ofMillis(50), c.batching().maxAge());
        assertEquals(BackpressurePolicy.BLOCK, c.kafka().backpressure());
        assertEquals(io.sluice.output.OutputType.FILE, c.output().type());
        assertEquals(FileOutput.Format.PROTOBUF, c.output().fileFormat());
        assertEquals("/tmp/c.pb", c.output().countersPath());
        assertEquals("/tmp/d.pb", c.output().dropsPath());
        assertEquals(9100, c.metricsListen().getPort());
        assertEquals(100, c.netflow().defaultSamplingRate());
        assertEquals(5L, c.netflow().exporterSamplingRates().get(InetAddress.getByName("192.0.2.1")));
        assertEquals(2000L, c.netflow().exporterSamplingRates().get(InetAddress.getByName("2001:db8::1")));
        assertEquals(10, c.netflow().maxPendingSetsPerExporter());
        assertEquals(Duration.ofSeconds(5), c.netflow().maxPendingAge());
        assertEquals(100, c.netflow().maxPendingSetsTotal());
        assertEquals(50, c.netflow().maxTemplates());
        assertEquals(new io.sluice.decode.template.StoreBounds(1_000_000, 20_000, 7, Duration.ofMinutes(10), 300_000, 4_000),
                c.netflow().bounds());
        assertEquals(Duration.ofSeconds(7), c.shutdownTimeout());
    }

    @Test
    void flagsAloneCanDescribeAListener() throws Exception {
        SluiceConfig c = ConfigLoader.load(new String[] {"--config", "/dev/null", "--listeners.0.address=127.0.0.1:0", "--output.type=none"});
        assertEquals(1, c.listeners().size());
        assertEquals(0, c.listeners().get(0).address().getPort());
        assertEquals(io.sluice.output.OutputType.NONE, c.output().type());
    }

    @Test
    void unknownKeyIsNamed() {
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nkafka: {topik: x}"), "kafka.topik", "unknown key");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055, wrokers: 2}]"), "listeners[0].wrokers", "unknown key");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nbatchin: {}"), "batchin", "unknown key");
        ConfigException flag = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--kafka.nope=1"}));
        assertProblem(flag, "kafka.nope", "unknown key");
    }

    @Test
    void badAddressesAreNamed() {
        assertProblem(rejected("listeners: [{address: 2055}]"), "listeners[0].address", "not host:port");
        assertProblem(rejected("listeners: [{address: '0.0.0.0:70000'}]"), "listeners[0].address", "port must be a number from 0 to 65535");
        assertProblem(rejected("listeners: [{address: 'no-such-host.invalid:2055'}]"), "listeners[0].address", "unknown host");
        assertProblem(rejected("listeners: [{address: '::1:2055'}]"), "listeners[0].address", "brackets");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nmetrics: {listen: localhost}"), "metrics.listen", "not host:port");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nkafka: {bootstrap-servers: 'k1'}"), "kafka.bootstrap-servers", "not host:port");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}, {address: 0.0.0.0:2055}]"), "listeners[1].address", "used by another listener");
    }

    @Test
    void templateBoundsAreValidated() {
        String listener = "listeners: [{address: 0.0.0.0:2055}]\n";
        assertProblem(rejected(listener + "templates: {max-per-exporter: 0}"), "templates.max-per-exporter", "got 0");
        assertProblem(rejected(listener + "templates: {idle-timeout: 0s}"), "templates.idle-timeout", "");
        assertProblem(rejected(listener + "templates: {max-bytes: -1}"), "templates.max-bytes", "got -1");
    }

    @Test
    void workersOutOfRange() {
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055, workers: 0}]"), "listeners[0].workers", "between 1 and 256, got 0");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055, workers: 300}]"), "listeners[0].workers", "between 1 and 256, got 300");
        ConfigException flag = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(new String[] {"--set", "listeners[2].workers=0"}));
        assertProblem(flag, "listeners[2].workers", "between 1 and 256");
    }

    @Test
    void wrongTypesAndValues() {
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055, workers: two}]"), "listeners[0].workers", "expected an integer");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055, protocol: netflow9}]"), "listeners[0].protocol", "auto | sflow | netflow | ipfix");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nbatching: {max-age: soon}"), "batching.max-age", "duration");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nbackpressure: wait"), "backpressure", "drop | block");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nkafka: [1, 2]"), "kafka", "mapping");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nkafka: {topic: 'a b'}"), "kafka.topic", "not a valid Kafka topic");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nsampling: {exporters: {router1: 10}}"), "sampling.exporters.router1", "not an IP address");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nsampling: {exporters: {10.0.0.1: 0}}"), "sampling.exporters.10.0.0.1", "between 1 and");
        assertProblem(rejected("listeners: []"), "listeners", "at least one listener");
        assertProblem(rejected("listeners: [{protocol: sflow}]"), "listeners[0].address", "missing");
    }

    @Test
    void missingFileAndBadYamlAreNamed(@TempDir Path dir) throws Exception {
        ConfigException missing = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--config", dir.resolve("nope.yaml").toString()}));
        assertProblem(missing, "--config", "no such file");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "listeners: [\n  {address: 0.0.0.0:2055\n");
        ConfigException syntax = assertThrows(ConfigException.class, () -> ConfigLoader.load(new String[] {"--config", bad.toString()}));
        assertProblem(syntax, "--config", "not valid YAML");
    }

    /** The drop-in keys: goflow2 v2's framing and one flow per record by default; bare and packing as asked. */
    @Test
    void framingFlowsPerRecordAndAkvoradoKeys() throws Exception {
        SluiceConfig d = ConfigLoader.load(new String[0]);
        assertEquals(io.sluice.output.RecordFraming.LENGTH_DELIMITED, d.output().framing());
        assertEquals(1, d.kafka().flowsPerRecord());
        assertEquals("flows", d.output().akvoradoTopic());
        assertEquals(io.sluice.flow.JsonStyle.SLUICE, d.output().jsonStyle());
        SluiceConfig c = ConfigLoader.load(new String[] {"--output.framing=bare", "--output.type=akvorado",
                "--output.akvorado.topic=akv", "--output.file.json-style=goflow2"});
        assertEquals(io.sluice.output.RecordFraming.BARE, c.output().framing());
        assertEquals(io.sluice.output.OutputType.AKVORADO, c.output().type());
        assertEquals("akv", c.output().akvoradoTopic());
        assertEquals(io.sluice.flow.JsonStyle.GOFLOW2, c.output().jsonStyle());
        assertEquals(32, ConfigLoader.load(new String[] {"--kafka.flows-per-record=32"}).kafka().flowsPerRecord());
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nkafka: {flows-per-record: 4}\noutput: {framing: bare}"),
                "kafka.flows-per-record", "length-delimited");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\nkafka: {flows-per-record: 0}"), "kafka.flows-per-record", "");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\noutput: {framing: delimited}"), "output.framing", "");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\noutput: {type: file, framing: bare, file: {format: protobuf}}"),
                "output.framing", "boundaries");
    }

    /** output.spool: off by default; directory, max-bytes and segment-bytes bound, checked, printed by --print-config and read back. */
    @Test
    void spoolKeys() throws Exception {
        SluiceConfig d = ConfigLoader.load(new String[0]);
        assertEquals(io.sluice.output.spool.SpoolSettings.DEFAULTS, d.output().spool());
        assertEquals(false, d.output().spool().enabled());
        SluiceConfig c = ConfigLoader.load(new String[] {"--output.spool.directory=/var/spool/sluice", "--output.spool.max-bytes=10485760",
                "--output.spool.segment-bytes=1048576"});
        assertEquals(new io.sluice.output.spool.SpoolSettings("/var/spool/sluice", 10L << 20, 1L << 20), c.output().spool());
        // a max-bytes below the default segment size makes the segments that small
        assertEquals(4096, ConfigLoader.load(new String[] {"--output.spool.max-bytes=4096"}).output().spool().segmentBytes());
        String printed = ConfigPrinter.toYaml(c);
        assertTrue(printed.contains("spool:") && printed.contains("directory: /var/spool/sluice") && printed.contains("max-bytes: 10485760")
                && printed.contains("segment-bytes: 1048576"), printed);
        assertEquals(c.output().spool(), ConfigLoader.fromYaml(printed).output().spool(), "--print-config reads back to the same spool");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\noutput: {spool: {max-bytes: 100}}"), "output.spool.max-bytes", "");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\noutput: {spool: {max-bytes: 2048, segment-bytes: 4096}}"),
                "output.spool.max-bytes", "segment-bytes");
        assertProblem(rejected("listeners: [{address: 0.0.0.0:2055}]\noutput: {spool: {dir: /tmp}}"), "output.spool.dir", "");
    }
}

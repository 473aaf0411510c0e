package io.sluice.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.sluice.handover.HandoverSettings;
import io.sluice.output.KafkaSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code sluice run --print-config}: the effective configuration, every key with its value after the file,
 * the environment and the flags, as YAML that {@link ConfigLoader} reads back to the same configuration.
 * Literal secrets (a producer property naming a password or the JAAS config) are masked; references
 * such as {@code ${file:...}} are shown, they are not the secret.
 */
public final class ConfigPrinter {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    private static final Pattern SECRET = Pattern.compile("password|jaas\\.config|secret|credentials", Pattern.CASE_INSENSITIVE);
    static final String MASK = "(hidden)";

    private ConfigPrinter() {}

    public static String toYaml(SluiceConfig c) {
        return toYaml(c, true);
    }

    static String toYaml(SluiceConfig c, boolean maskSecrets) {
        Map<String, Object> root = new LinkedHashMap<>();
        List<Object> listeners = new ArrayList<>();
        for (SluiceConfig.Listener l : c.listeners()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("address", l.name());
            m.put("protocol", l.protocol().configName);
            m.put("workers", l.workers());
            m.put("steering", l.steering().configName());
            m.put("rcvbuf", l.rcvbuf());
            listeners.add(m);
        }
        root.put("listeners", listeners);
        KafkaSettings k = c.kafka();
        Map<String, Object> kafka = new LinkedHashMap<>();
        kafka.put("bootstrap-servers", k.bootstrapServers());
        kafka.put("topic", k.flowsTopic());
        kafka.put("counters-topic", k.countersTopic());
        kafka.put("drops-topic", k.dropsTopic());
        kafka.put("partition-key", k.partitionKey().configName);
        kafka.put("startup-timeout", duration(k.startupTimeout()));
        Map<String, Object> createTopics = new LinkedHashMap<>();
        createTopics.put("enabled", k.createTopics().enabled());
        createTopics.put("partitions", k.createTopics().partitions());
        createTopics.put("replication-factor", k.createTopics().replicationFactor());
        kafka.put("create-topics", createTopics);
        Map<String, Object> producer = new LinkedHashMap<>();
        k.producerProperties().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e ->
                producer.put(e.getKey(), maskSecrets && secret(e.getKey(), e.getValue()) ? MASK : e.getValue()));
        kafka.put("producer", producer);
        root.put("kafka", kafka);
        Map<String, Object> batching = new LinkedHashMap<>();
        batching.put("flows", c.batching().flows());
        batching.put("max-age", duration(c.batching().maxAge()));
        root.put("batching", batching);
        root.put("backpressure", k.backpressure().configName);
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("path", c.output().filePath());
        file.put("format", c.output().fileFormat().configName);
        file.put("counters-path", c.output().countersPath());
        file.put("drops-path", c.output().dropsPath());
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("type", c.output().type().configName);
        output.put("file", file);
        Map<String, Object> spool = new LinkedHashMap<>();
        spool.put("directory", c.output().spool().directory());
        spool.put("max-bytes", c.output().spool().maxBytes());
        spool.put("segment-bytes", c.output().spool().segmentBytes());
        output.put("spool", spool);
        root.put("output", output);
        root.put("metrics", Map.of("listen", address(c.metricsListen())));
        Map<String, Object> sampling = new LinkedHashMap<>();
        sampling.put("default", c.netflow().defaultSamplingRate());
        Map<String, Object> exporters = new LinkedHashMap<>();
        for (Map.Entry<InetAddress, Long> e : c.netflow().exporterSamplingRates().entrySet()) {
            exporters.put(e.getKey().getHostAddress(), e.getValue());
        }
        sampling.put("exporters", exporters);
        root.put("sampling", sampling);
        Map<String, Object> templates = new LinkedHashMap<>();
        templates.put("pending-max-sets", c.netflow().maxPendingSetsPerExporter());
        templates.put("pending-max-total", c.netflow().maxPendingSetsTotal());
        templates.put("pending-max-age", duration(c.netflow().maxPendingAge()));
        templates.put("max-templates", c.netflow().maxTemplates());
        root.put("templates", templates);
        root.put("shutdown-timeout", duration(c.shutdownTimeout()));
        HandoverSettings h = c.handover();
        Map<String, Object> handover = new LinkedHashMap<>();
        handover.put("enabled", h.enabled());
        handover.put("pin-root", h.pinRoot().toString());
        handover.put("state-dir", h.stateDir());
        handover.put("template-snapshot-max-age", duration(h.templateSnapshotMaxAge()));
        handover.put("warm-up", duration(h.warmUp()));
        handover.put("ramp", duration(h.ramp()));
        root.put("handover", handover);
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean secret(String key, String value) {
        return SECRET.matcher(key).find() && !value.startsWith("${");
    }

    private static String duration(Duration d) {
        return d.toMillis() + "ms";
    }

    private static String address(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (a.getAddress() instanceof java.net.Inet6Address ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}

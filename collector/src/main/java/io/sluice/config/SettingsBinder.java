package io.sluice.config;

import io.sluice.decode.template.StoreBounds;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.decode.ListenerProtocol;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.handover.HandoverSettings;
import io.sluice.share.TemplateShareSettings;
import io.sluice.ledger.ExporterSettings;
import io.sluice.output.BackpressurePolicy;
import io.sluice.output.BatchingSettings;
import io.sluice.output.FileOutput;
import io.sluice.output.KafkaSettings;
import io.sluice.output.OutputSettings;
import io.sluice.output.OutputType;
import io.sluice.output.PartitionKey;
import io.sluice.steering.SteeringMode;
import io.sluice.steering.GuardRules;
import io.sluice.output.RecordFraming;
import io.sluice.output.spool.SpoolSettings;
import io.sluice.flow.JsonStyle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds each section of a configuration tree into the settings record its module owns (kafka into
 * output's KafkaSettings, handover into HandoverSettings, templates into NetflowConfig, ...), with the
 * module's DEFAULTS for every key left out, and validates as it goes: any problem is a
 * {@link ConfigException} naming the key. {@link ConfigLoader} reads the sources (file, flags,
 * environment) into the tree; this class is the one place that maps it onto the modules.
 */
final class SettingsBinder {
    private SettingsBinder() {}


    static SluiceConfig bind(ConfigNode root) throws ConfigException {
        List<SluiceConfig.Listener> listeners = listeners(root);
        BackpressurePolicy backpressure = root.choice("backpressure", KafkaSettings.DEFAULTS.backpressure(), p -> p.configName);
        KafkaSettings kafka = kafka(root.object("kafka"), backpressure);
        ConfigNode batchingNode = root.object("batching");
        BatchingSettings batching = new BatchingSettings(
                (int) batchingNode.integer("flows", BatchingSettings.DEFAULTS.flows(), 1, 1_000_000),
                batchingNode.duration("max-age", BatchingSettings.DEFAULTS.maxAge(), Duration.ofMillis(1)));
        batchingNode.rejectUnknownKeys();
        OutputSettings output = output(root.object("output"));
        if (kafka.flowsPerRecord() > 1 && output.framing() != RecordFraming.LENGTH_DELIMITED) {
            throw new ConfigException("kafka.flows-per-record", "several flows per record need output.framing length-delimited (a bare record holds one message)");
        }
        kafka = kafka.withFraming(output.framing(), kafka.flowsPerRecord());
        ConfigNode metrics = root.object("metrics");
        InetSocketAddress metricsListen = address(metrics.key("listen"), metrics.string("listen", SluiceConfig.DEFAULT_METRICS_LISTEN));
        metrics.rejectUnknownKeys();
        ConfigNode templatesNode = root.object("templates");
        TemplateShareSettings templateShare = templateShare(templatesNode.object("share"));
        NetflowConfig netflow = sampling(root.object("sampling"), templates(templatesNode));
        Duration shutdownTimeout = root.duration("shutdown-timeout", SluiceConfig.DEFAULT_SHUTDOWN_TIMEOUT, Duration.ZERO);
        HandoverSettings handover = handover(root.object("handover"));
        ConfigNode ex = root.object("exporters");
        ExporterSettings exporters = new ExporterSettings(
                (int) ex.integer("max", ExporterSettings.DEFAULTS.max(), 0, 100_000),
                ex.duration("reorder-window", ExporterSettings.DEFAULTS.reorderWindow(), Duration.ofMillis(1)));
        ex.rejectUnknownKeys();
        root.rejectUnknownKeys();
        return new SluiceConfig(listeners, kafka, batching, output, metricsListen, netflow, shutdownTimeout, handover,
                exporters, templateShare);
    }

    /** templates.share.*: see docs/scaling.md. */
    private static TemplateShareSettings templateShare(ConfigNode s) throws ConfigException {
        TemplateShareSettings d = TemplateShareSettings.DEFAULTS;
        TemplateShareSettings t = new TemplateShareSettings(
                Boolean.parseBoolean(s.choice("enabled", String.valueOf(d.enabled()), "true", "false")),
                s.string("topic", d.topic()),
                Boolean.parseBoolean(s.choice("create-topic", String.valueOf(d.createTopic()), "true", "false")),
                (int) s.integer("partitions", d.partitions(), 1, 10_000),
                (short) s.integer("replication-factor", d.replicationFactor(), -1, Short.MAX_VALUE),
                s.duration("startup-wait", d.startupWait(), Duration.ZERO),
                (int) s.integer("queue", d.queue(), 1, 1_000_000));
        if (t.topic().isEmpty()) throw new ConfigException(s.key("topic"), "must not be empty");
        s.rejectUnknownKeys();
        return t;
    }

    private static NetflowConfig templates(ConfigNode t) throws ConfigException {
        NetflowConfig d = NetflowConfig.DEFAULTS;
        NetflowConfig c = d.withPending((int) t.integer("pending-max-sets", d.maxPendingSetsPerExporter(), 0, 1_000_000),
                        t.duration("pending-max-age", d.maxPendingAge(), Duration.ZERO))
                .withLimits((int) t.integer("pending-max-total", d.maxPendingSetsTotal(), 0, 10_000_000),
                        (int) t.integer("max-templates", d.maxTemplates(), 1, 10_000_000))
                .withBounds(new StoreBounds(
                        t.integer("max-bytes", d.bounds().maxTemplateBytes(), 1, Long.MAX_VALUE),
                        t.integer("max-bytes-per-exporter", d.bounds().maxTemplateBytesPerExporter(), 1, Long.MAX_VALUE),
                        (int) t.integer("max-per-exporter", d.bounds().maxTemplatesPerExporter(), 1, 10_000_000),
                        t.duration("idle-timeout", d.bounds().templateIdleTimeout(), Duration.ofSeconds(1)),
                        t.integer("pending-max-bytes", d.bounds().maxPendingBytes(), 0, Long.MAX_VALUE),
                        t.integer("pending-max-bytes-per-exporter", d.bounds().maxPendingBytesPerExporter(), 0, Long.MAX_VALUE)));
        t.rejectUnknownKeys();
        return c;
    }

    /** handover.*: see docs/upgrade.md. The state dir defaults to $SLUICE_STATE (the systemd unit sets it). */
    private static HandoverSettings handover(ConfigNode h) throws ConfigException {
        HandoverSettings d = HandoverSettings.DEFAULTS;
        boolean enabled = Boolean.parseBoolean(h.choice("enabled", String.valueOf(d.enabled()), "true", "false"));
        String pinRoot = h.string("pin-root", d.pinRoot().toString());
        if (!pinRoot.startsWith("/")) throw new ConfigException(h.key("pin-root"), "must be an absolute path, got '" + pinRoot + "'");
        String envState = System.getenv("SLUICE_STATE");
        String stateDir = h.string("state-dir", envState == null ? d.stateDir() : envState);
        Duration maxAge = h.duration("template-snapshot-max-age", d.templateSnapshotMaxAge(), Duration.ZERO);
        Duration warmUp = h.duration("warm-up", d.warmUp(), Duration.ZERO);
        Duration ramp = h.duration("ramp", d.ramp(), Duration.ZERO);
        h.rejectUnknownKeys();
        return new HandoverSettings(enabled, Path.of(pinRoot), stateDir, maxAge, d.bpfObject(), d.lockTimeout(), warmUp, ramp);
    }

    static List<SluiceConfig.Listener> listeners(ConfigNode root) throws ConfigException {
        List<SluiceConfig.Listener> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        for (ConfigNode l : root.objects("listeners")) {
            String text = l.string("address", null);
            if (text == null) throw new ConfigException(l.key("address"), "missing (host:port, e.g. 0.0.0.0:2055)");
            InetSocketAddress address = address(l.key("address"), text);
            ListenerProtocol protocol = l.choice("protocol", SluiceConfig.Listener.DEFAULT_PROTOCOL, p -> p.configName);
            int workers = (int) l.integer("workers", SluiceConfig.Listener.defaultWorkers(), 1, ConfigLoader.MAX_WORKERS);
            SteeringMode steering = l.choice("steering", SluiceConfig.Listener.DEFAULT_STEERING, SteeringMode::configName);
            int rcvbuf = (int) l.integer("rcvbuf", SluiceConfig.Listener.DEFAULT_RCVBUF, 0, Integer.MAX_VALUE);
            GuardRules guard = guard(l);
            boolean guardUserSpace = l.choice("guard-fallback", "refuse", "refuse", "user-space").equals("user-space");
            l.rejectUnknownKeys();
            if (address.getPort() != 0 && !seen.add(address.toString())) {
                throw new ConfigException(l.key("address"), text + " is used by another listener");
            }
            out.add(new SluiceConfig.Listener(text, address, protocol, workers, steering, rcvbuf, guard, guardUserSpace));
        }
        if (out.isEmpty()) throw new ConfigException("listeners", "at least one listener is needed");
        return List.copyOf(out);
    }

    /** A listener's {@code allow} (prefixes; absent = everyone) and {@code rate-limit} (absent = none). */
    private static GuardRules guard(ConfigNode l) throws ConfigException {
        List<String> allowText = l.strings("allow");
        java.util.Set<GuardRules.Prefix> allow = null;
        if (allowText != null) {
            allow = new java.util.LinkedHashSet<>();
            for (int i = 0; i < allowText.size(); i++) {
                try {
                    allow.add(GuardRules.Prefix.parse(allowText.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new ConfigException(l.key("allow") + "[" + i + "]", e.getMessage());
                }
            }
            if (allow.size() > GuardRules.MAX_PREFIXES) {
                throw new ConfigException(l.key("allow"), allow.size() + " prefixes, at most " + GuardRules.MAX_PREFIXES);
            }
        }
        GuardRules.RateLimit rate = null;
        if (l.has("rate-limit")) {
            ConfigNode r = l.object("rate-limit");
            if (!r.has("datagrams-per-second")) throw new ConfigException(r.key("datagrams-per-second"), "missing (datagrams per second per source)");
            long perSecond = r.integer("datagrams-per-second", 0, 1, 1_000_000_000L);
            long burst = r.integer("burst", Math.max(1, perSecond / 10), 1, 1_000_000_000L);
            r.rejectUnknownKeys();
            rate = new GuardRules.RateLimit(perSecond, burst);
        }
        return new GuardRules(allow, rate);
    }

    static KafkaSettings kafka(ConfigNode k, BackpressurePolicy backpressure) throws ConfigException {
        KafkaSettings d = KafkaSettings.DEFAULTS;
        String servers = k.string("bootstrap-servers", d.bootstrapServers());
        for (String s : servers.split(",")) {
            String hostPort = s.trim();
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || !hostPort.substring(colon + 1).matches("\\d{1,5}") || Integer.parseInt(hostPort.substring(colon + 1)) > 65535) {
                throw new ConfigException(k.key("bootstrap-servers"), "'" + hostPort + "' is not host:port");
            }
        }
        String topic = k.string("topic", d.flowsTopic());
        String countersTopic = k.string("counters-topic", d.countersTopic());
        String dropsTopic = k.string("drops-topic", d.dropsTopic());
        for (String[] t : new String[][] {{"topic", topic}, {"counters-topic", countersTopic}, {"drops-topic", dropsTopic}}) {
            if (!t[1].matches("[a-zA-Z0-9._-]{1,249}")) {
                throw new ConfigException(k.key(t[0]), "'" + t[1] + "' is not a valid Kafka topic name (letters, digits, . _ -)");
            }
        }
        Map<String, String> producer = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : k.entries("producer").entrySet()) {
            if (!e.getValue().isValueNode()) {
                throw new ConfigException(k.key("producer") + "." + e.getKey(), "expected a value, got " + ConfigNode.describe(e.getValue()));
            }
            if (!KafkaSettings.isProducerProperty(e.getKey())) {
                throw new ConfigException(k.key("producer") + "." + e.getKey(), "not a Kafka producer property"
                        + " (see https://kafka.apache.org/documentation/#producerconfigs)");
            }
            producer.put(e.getKey(), e.getValue().asText());
        }
        PartitionKey key = k.choice("partition-key", d.partitionKey(), p -> p.configName);
        Duration startupTimeout = k.duration("startup-timeout", d.startupTimeout(), Duration.ofMillis(100));
        ConfigNode c = k.object("create-topics");
        KafkaSettings.CreateTopics cd = d.createTopics();
        KafkaSettings.CreateTopics createTopics = new KafkaSettings.CreateTopics(
                Boolean.parseBoolean(c.choice("enabled", String.valueOf(cd.enabled()), "true", "false")),
                (int) c.integer("partitions", cd.partitions(), -1, 100_000),
                (short) c.integer("replication-factor", cd.replicationFactor(), -1, Short.MAX_VALUE));
        if (createTopics.partitions() == 0) throw new ConfigException(c.key("partitions"), "must be at least 1, or -1 for the broker's default");
        if (createTopics.replicationFactor() == 0) throw new ConfigException(c.key("replication-factor"), "must be at least 1, or -1 for the broker's default");
        c.rejectUnknownKeys();
        int flowsPerRecord = (int) k.integer("flows-per-record", d.flowsPerRecord(), 1, 4096);
        k.rejectUnknownKeys();
        // the framing is output.framing's, set by bind() once the output section is read
        return new KafkaSettings(servers, topic, countersTopic, dropsTopic, Map.copyOf(producer), key, backpressure, startupTimeout, createTopics,
                d.framing(), flowsPerRecord);
    }

    private static OutputSettings output(ConfigNode o) throws ConfigException {
        OutputSettings d = OutputSettings.DEFAULTS;
        OutputType type = o.choice("type", d.type(), t -> t.configName);
        ConfigNode file = o.object("file");
        String path = file.string("path", d.filePath());
        FileOutput.Format format = file.choice("format", d.fileFormat(), f -> f.configName);
        String countersPath = file.string("counters-path", d.countersPath());
        String dropsPath = file.string("drops-path", d.dropsPath());
        JsonStyle jsonStyle = file.choice("json-style", d.jsonStyle(), s -> s.configName);
        file.rejectUnknownKeys();
        RecordFraming framing = o.choice("framing", d.framing(), f -> f.configName);
        ConfigNode akvorado = o.object("akvorado");
        String akvoradoTopic = akvorado.string("topic", d.akvoradoTopic());
        if (!akvoradoTopic.matches("[a-zA-Z0-9._-]{1,246}")) {
            throw new ConfigException(akvorado.key("topic"), "'" + akvoradoTopic + "' is not a valid Kafka topic name (letters, digits, . _ -)");
        }
        akvorado.rejectUnknownKeys();
        SpoolSettings spool = spool(o.object("spool"));
        o.rejectUnknownKeys();
        if (type == OutputType.FILE && path.isEmpty()) throw new ConfigException(o.key("file.path"), "empty (a file name, or - for stdout)");
        if (type == OutputType.FILE && format == FileOutput.Format.PROTOBUF && framing == RecordFraming.BARE) {
            throw new ConfigException(o.key("framing"), "bare messages have no boundaries in a file: the protobuf file output needs length-delimited");
        }
        return new OutputSettings(type, path, format, countersPath, dropsPath, framing, jsonStyle, akvoradoTopic, spool);
    }

    /** output.spool.*: see docs/spool.md. */
    private static SpoolSettings spool(ConfigNode s) throws ConfigException {
        SpoolSettings d = SpoolSettings.DEFAULTS;
        String dir = s.string("directory", d.directory()).trim();
        long segment = s.integer("segment-bytes", d.segmentBytes(), 1024, 1L << 40);
        long max = s.integer("max-bytes", d.maxBytes(), 1024, Long.MAX_VALUE);
        s.rejectUnknownKeys();
        if (max < segment && s.has("segment-bytes")) throw new ConfigException(s.key("max-bytes"), "smaller than segment-bytes (" + segment + ")");
        return new SpoolSettings(dir, max, Math.min(segment, max));
    }

    private static NetflowConfig sampling(ConfigNode s, NetflowConfig templates) throws ConfigException {
        long dflt = s.integer("default", NetflowConfig.DEFAULTS.defaultSamplingRate(), 0, 0xFFFF_FFFFL);
        Map<InetAddress, Long> exporters = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : s.entries("exporters").entrySet()) {
            String key = s.key("exporters") + "." + e.getKey();
            InetAddress address = literalAddress(key, e.getKey());
            JsonNode v = e.getValue();
            long rate;
            if (v.isIntegralNumber()) rate = v.asLong();
            else if (v.isTextual() && v.asText().matches("\\d+")) rate = Long.parseLong(v.asText());
            else throw new ConfigException(key, "expected a sampling rate (integer >= 1), got " + ConfigNode.describe(v));
            if (rate < 1 || rate > 0xFFFF_FFFFL) throw new ConfigException(key, "sampling rate must be between 1 and 4294967295, got " + rate);
            exporters.put(address, rate);
        }
        s.rejectUnknownKeys();
        return templates.withDefaultSamplingRate(dflt).withExporterSamplingRates(exporters);
    }

    /** An IP literal (no name lookup: a config must not depend on DNS to mean what it says). */
    private static InetAddress literalAddress(String key, String text) throws ConfigException {
        String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        if (!t.matches("[0-9.]+") && !t.contains(":")) throw new ConfigException(key, "'" + text + "' is not an IP address");
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException e) {
            throw new ConfigException(key, "'" + text + "' is not an IP address");
        }
    }

    /**
     * {@code host:port}, {@code [v6]:port} or {@code :port}; the host may be a name. {@code :port} is every
     * address, IPv6 and IPv4 alike ({@code [::]}: the socket is dual-stack, IPv4 arrives v4-mapped, as in
     * goflow2 and Akvorado); an IPv4 address, {@code 0.0.0.0} included, binds an IPv4-only socket.
     */
    static InetSocketAddress address(String key, String text) throws ConfigException {
        String t = text.trim();
        int colon = t.lastIndexOf(':');
        if (colon < 0) throw new ConfigException(key, "'" + text + "' is not host:port (e.g. 0.0.0.0:2055 or [::]:2055)");
        String host = t.substring(0, colon);
        String portText = t.substring(colon + 1);
        if (!portText.matches("\\d{1,5}") || Integer.parseInt(portText) > 65535) {
            throw new ConfigException(key, "'" + text + "': the port must be a number from 0 to 65535");
        }
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        else if (host.contains(":")) throw new ConfigException(key, "'" + text + "': write IPv6 addresses in brackets, e.g. [::1]:2055");
        if (host.isEmpty()) host = "::";
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(portText));
        } catch (UnknownHostException e) {
            throw new ConfigException(key, "'" + text + "': unknown host '" + host + "'");
        }
    }
}

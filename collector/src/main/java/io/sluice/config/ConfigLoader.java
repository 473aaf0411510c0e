package io.sluice.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.output.BackpressurePolicy;
import io.sluice.output.FileOutput;
import io.sluice.output.PartitionKey;
import io.sluice.output.RecordFraming;
import io.sluice.flow.JsonStyle;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads `sluice run`'s configuration: a YAML file (or the embedded default, {@code default.yaml}),
 * then every {@code --set key=value} / {@code --key=value} / {@code --key value} flag on top, then
 * validates it into a {@link SluiceConfig}. Any problem is a {@link ConfigException} naming the key.
 *
 * <p>Flag keys are dotted paths; list elements by index ({@code listeners[0].workers} or
 * {@code listeners.0.workers}); under {@code kafka.producer} and {@code sampling.exporters} the rest of
 * the key is one name ({@code --kafka.producer.linger.ms=5}). Flag values are read as YAML scalars.
 */
public final class ConfigLoader {
    public static final int MAX_WORKERS = 256;
    public static final String DEFAULT_RESOURCE = "/io/sluice/config/default.yaml";
    /** Keys whose children are free-form names that may contain dots. */
    private static final Set<String> PASS_THROUGH = Set.of("kafka.producer", "sampling.exporters");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {}

    /** Parses `run` arguments: {@code [--config FILE] [--set KEY=VALUE | --KEY=VALUE | --KEY VALUE]...}. */
    public static SluiceConfig load(String[] args) throws ConfigException {
        String configFile = null;
        List<String[]> overrides = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--config") || a.equals("-c")) {
                if (i + 1 >= args.length) throw new ConfigException("--config", "needs a file name");
                configFile = args[++i];
            } else if (a.startsWith("--config=")) {
                configFile = a.substring("--config=".length());
            } else if (a.equals("--set")) {
                if (i + 1 >= args.length) throw new ConfigException("--set", "needs KEY=VALUE");
                overrides.add(splitAssignment(args[++i]));
            } else if (a.startsWith("--set=")) {
                overrides.add(splitAssignment(a.substring("--set=".length())));
            } else if (a.startsWith("--") && a.contains("=")) {
                overrides.add(splitAssignment(a.substring(2)));
            } else if (a.startsWith("--") && a.length() > 2) {
                if (i + 1 >= args.length) throw new ConfigException(a.substring(2), "flag without a value");
                overrides.add(new String[] {a.substring(2), args[++i]});
            } else {
                throw new ConfigException(a, "unexpected argument (flags are --config FILE, --set KEY=VALUE or --KEY=VALUE)");
            }
        }
        JsonNode tree = configFile == null ? readDefault() : readFile(configFile);
        ObjectNode root = tree instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
        if (tree != null && !tree.isMissingNode() && !tree.isNull() && !tree.isObject()) {
            throw new ConfigException("(top level)", "the configuration must be a mapping of keys");
        }
        for (String[] o : overrides) set(root, o[0], o[1]);
        return bind(root);
    }

    /** Validates a parsed tree (tests and embedders). */
    public static SluiceConfig fromYaml(String yaml) throws ConfigException {
        try {
            JsonNode tree = YAML.readTree(yaml);
            return bind(tree == null || tree.isMissingNode() ? JsonNodeFactory.instance.objectNode() : tree);
        } catch (JsonProcessingException e) {
            throw new ConfigException("(yaml)", "not valid YAML: " + e.getOriginalMessage());
        }
    }

    private static String[] splitAssignment(String s) throws ConfigException {
        int eq = s.indexOf('=');
        if (eq <= 0) throw new ConfigException(s, "expected KEY=VALUE");
        return new String[] {s.substring(0, eq), s.substring(eq + 1)};
    }

    private static JsonNode readDefault() throws ConfigException {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) throw new ConfigException("--config", "the embedded default configuration is missing from the build");
            return YAML.readTree(in);
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot read the embedded default configuration: " + e.getMessage());
        }
    }

    /** The embedded default configuration as text (for `sluice run --print-default-config` and docs). */
    public static String defaultConfigText() throws IOException {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static JsonNode readFile(String file) throws ConfigException {
        try {
            String text = Files.readString(Path.of(file));
            JsonNode tree = YAML.readTree(text);
            return tree == null ? JsonNodeFactory.instance.objectNode() : tree;
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config", "no such file: " + file);
        } catch (JsonProcessingException e) {
            throw new ConfigException("--config", file + " is not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Sets a dotted key in the tree, creating mappings and list elements on the way. */
    static void set(ObjectNode root, String key, String rawValue) throws ConfigException {
        JsonNode value = parseScalar(key, rawValue);
        List<String> parts = splitKey(key);
        JsonNode current = root;
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            boolean last = i == parts.size() - 1;
            String sofar = String.join(".", parts.subList(0, i + 1));
            if (current instanceof ObjectNode obj) {
                if (last) {
                    obj.set(part, value);
                } else {
                    JsonNode next = obj.get(part);
                    boolean index = parts.get(i + 1).matches("\\d+");
                    if (next == null || next.isNull() || !next.isContainerNode()) {
                        next = index ? obj.putArray(part) : obj.putObject(part);
                    }
                    current = next;
                }
            } else if (current instanceof ArrayNode arr) {
                if (!part.matches("\\d+")) throw new ConfigException(key, "'" + sofar + "' is a list: use an index, e.g. " + sofar.replaceAll("\\.[^.]*$", "") + "[0]");
                int idx = Integer.parseInt(part);
                if (idx > arr.size()) throw new ConfigException(key, "index " + idx + " skips list elements (the list has " + arr.size() + ")");
                if (last) {
                    if (idx == arr.size()) arr.add(value);
                    else arr.set(idx, value);
                } else {
                    if (idx == arr.size()) arr.addObject();
                    current = arr.get(idx);
                    if (!current.isContainerNode()) throw new ConfigException(key, "'" + sofar + "' is not a mapping");
                }
            } else {
                throw new ConfigException(key, "'" + sofar + "' is not a mapping");
            }
        }
    }

    /** {@code listeners[0].workers} → [listeners, 0, workers]; pass-through maps keep the rest as one key. */
    static List<String> splitKey(String key) throws ConfigException {
        String normalized = key.replaceAll("\\[(\\d+)]", ".$1");
        for (String prefix : PASS_THROUGH) {
            if (normalized.startsWith(prefix + ".") && normalized.length() > prefix.length() + 1) {
                List<String> parts = new ArrayList<>(List.of(prefix.split("\\.")));
                parts.add(normalized.substring(prefix.length() + 1));
                return parts;
            }
        }
        List<String> parts = List.of(normalized.split("\\."));
        for (String p : parts) if (p.isEmpty()) throw new ConfigException(key, "malformed key");
        return parts;
    }

    private static JsonNode parseScalar(String key, String raw) throws ConfigException {
        if (raw.isEmpty()) return TextNode.valueOf("");
        try {
            JsonNode v = YAML.readTree(raw);
            return v == null || v.isMissingNode() ? TextNode.valueOf(raw) : v;
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(raw); // not YAML: take it as text ("host:port" and the like)
        }
    }

    // ---- binding and validation ----

    static SluiceConfig bind(JsonNode tree) throws ConfigException {
        ConfigNode root = new ConfigNode("", tree);
        List<SluiceConfig.Listener> listeners = listeners(root);
        SluiceConfig.Kafka kafka = kafka(root.object("kafka"));
        ConfigNode batchingNode = root.object("batching");
        SluiceConfig.Batching batching = new SluiceConfig.Batching(
                (int) batchingNode.integer("flows", 4096, 1, 1_000_000),
                batchingNode.duration("max-age", Duration.ofMillis(100), Duration.ofMillis(1)));
        batchingNode.rejectUnknownKeys();
        BackpressurePolicy backpressure = BackpressurePolicy.fromConfig(root.choice("backpressure", "drop", "drop", "block"));
        SluiceConfig.Output output = output(root.object("output"));
        if (kafka.flowsPerRecord() > 1 && output.framing() != RecordFraming.LENGTH_DELIMITED) {
            throw new ConfigException("kafka.flows-per-record", "several flows per record need output.framing length-delimited (a bare record holds one message)");
        }
        ConfigNode metrics = root.object("metrics");
        InetSocketAddress metricsListen = address(metrics.key("listen"), metrics.string("listen", "127.0.0.1:8080"));
        metrics.rejectUnknownKeys();
        SluiceConfig.Sampling sampling = sampling(root.object("sampling"));
        ConfigNode t = root.object("templates");
        SluiceConfig.Templates templates = new SluiceConfig.Templates(
                (int) t.integer("pending-max-sets", 1024, 0, 1_000_000),
                (int) t.integer("pending-max-total", 65_536, 0, 10_000_000),
                t.duration("pending-max-age", Duration.ofSeconds(60), Duration.ZERO),
                (int) t.integer("max-templates", 100_000, 1, 10_000_000));
        t.rejectUnknownKeys();
        Duration shutdownTimeout = root.duration("shutdown-timeout", Duration.ofSeconds(30), Duration.ZERO);
        SluiceConfig.Handover handover = handover(root.object("handover"));
        root.rejectUnknownKeys();
        return new SluiceConfig(listeners, kafka, batching, backpressure, output, metricsListen, sampling, templates,
                shutdownTimeout, handover);
    }

    /** handover.*: see docs/upgrade.md. The state dir defaults to $SLUICE_STATE (the systemd unit sets it). */
    private static SluiceConfig.Handover handover(ConfigNode h) throws ConfigException {
        boolean enabled = Boolean.parseBoolean(h.choice("enabled", "true", "true", "false"));
        String pinRoot = h.string("pin-root", "/sys/fs/bpf/sluice");
        if (!pinRoot.startsWith("/")) throw new ConfigException(h.key("pin-root"), "must be an absolute path, got '" + pinRoot + "'");
        String envState = System.getenv("SLUICE_STATE");
        String stateDir = h.string("state-dir", envState == null ? "" : envState);
        Duration maxAge = h.duration("template-snapshot-max-age", Duration.ofMinutes(10), Duration.ZERO);
        h.rejectUnknownKeys();
        return new SluiceConfig.Handover(enabled, Path.of(pinRoot), stateDir, maxAge);
    }

    private static List<SluiceConfig.Listener> listeners(ConfigNode root) throws ConfigException {
        List<SluiceConfig.Listener> out = new ArrayList<>();
        Set<String> seen = new java.util.HashSet<>();
        int defaultWorkers = Math.clamp(Runtime.getRuntime().availableProcessors(), 1, MAX_WORKERS);
        for (ConfigNode l : root.objects("listeners")) {
            String text = l.string("address", null);
            if (text == null) throw new ConfigException(l.key("address"), "missing (host:port, e.g. 0.0.0.0:2055)");
            InetSocketAddress address = address(l.key("address"), text);
            String protocolName = l.choice("protocol", "auto", "auto", "sflow", "netflow", "ipfix");
            SluiceConfig.Protocol protocol = SluiceConfig.Protocol.valueOf(protocolName.toUpperCase());
            int workers = (int) l.integer("workers", defaultWorkers, 1, MAX_WORKERS);
            String steeringName = l.choice("steering", "random", "random", "round-robin", "hash");
            SluiceConfig.Steering steering = steeringName.equals("round-robin") ? SluiceConfig.Steering.ROUND_ROBIN
                    : SluiceConfig.Steering.valueOf(steeringName.toUpperCase());
            int rcvbuf = (int) l.integer("rcvbuf", 32 << 20, 0, Integer.MAX_VALUE);
            l.rejectUnknownKeys();
            if (address.getPort() != 0 && !seen.add(address.toString())) {
                throw new ConfigException(l.key("address"), text + " is used by another listener");
            }
            out.add(new SluiceConfig.Listener(text, address, protocol, workers, steering, rcvbuf));
        }
        if (out.isEmpty()) throw new ConfigException("listeners", "at least one listener is needed");
        return List.copyOf(out);
    }

    private static SluiceConfig.Kafka kafka(ConfigNode k) throws ConfigException {
        String servers = k.string("bootstrap-servers", "localhost:9092");
        for (String s : servers.split(",")) {
            String hostPort = s.trim();
            int colon = hostPort.lastIndexOf(':');
            if (colon <= 0 || !hostPort.substring(colon + 1).matches("\\d{1,5}") || Integer.parseInt(hostPort.substring(colon + 1)) > 65535) {
                throw new ConfigException(k.key("bootstrap-servers"), "'" + hostPort + "' is not host:port");
            }
        }
        String topic = k.string("topic", "flows");
        String countersTopic = k.string("counters-topic", "flows-counters");
        for (String[] t : new String[][] {{"topic", topic}, {"counters-topic", countersTopic}}) {
            if (!t[1].matches("[a-zA-Z0-9._-]{1,249}")) {
                throw new ConfigException(k.key(t[0]), "'" + t[1] + "' is not a valid Kafka topic name (letters, digits, . _ -)");
            }
        }
        Map<String, String> producer = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : k.entries("producer").entrySet()) {
            if (!e.getValue().isValueNode()) {
                throw new ConfigException(k.key("producer") + "." + e.getKey(), "expected a value, got " + ConfigNode.describe(e.getValue()));
            }
            producer.put(e.getKey(), e.getValue().asText());
        }
        PartitionKey key = PartitionKey.fromConfig(k.choice("partition-key", "exporter", "exporter", "random", "five-tuple"));
        Duration startupTimeout = k.duration("startup-timeout", Duration.ofSeconds(10), Duration.ofMillis(100));
        int flowsPerRecord = (int) k.integer("flows-per-record", 1, 1, 4096);
        k.rejectUnknownKeys();
        return new SluiceConfig.Kafka(servers, topic, countersTopic, Map.copyOf(producer), key, startupTimeout, flowsPerRecord);
    }

    private static SluiceConfig.Output output(ConfigNode o) throws ConfigException {
        String typeName = o.choice("type", "kafka", "kafka", "file", "none", "akvorado");
        SluiceConfig.OutputType type = SluiceConfig.OutputType.valueOf(typeName.toUpperCase());
        ConfigNode file = o.object("file");
        String path = file.string("path", "-");
        FileOutput.Format format = FileOutput.Format.fromConfig(file.choice("format", "json", "json", "protobuf"));
        String countersPath = file.string("counters-path", "");
        JsonStyle jsonStyle = JsonStyle.fromConfig(file.choice("json-style", "sluice", "sluice", "goflow2"));
        file.rejectUnknownKeys();
        RecordFraming framing = RecordFraming.fromConfig(o.choice("framing", "length-delimited", "length-delimited", "bare"));
        ConfigNode akvorado = o.object("akvorado");
        String akvoradoTopic = akvorado.string("topic", "flows");
        if (!akvoradoTopic.matches("[a-zA-Z0-9._-]{1,246}")) {
            throw new ConfigException(akvorado.key("topic"), "'" + akvoradoTopic + "' is not a valid Kafka topic name (letters, digits, . _ -)");
        }
        akvorado.rejectUnknownKeys();
        o.rejectUnknownKeys();
        if (type == SluiceConfig.OutputType.FILE && path.isEmpty()) throw new ConfigException(o.key("file.path"), "empty (a file name, or - for stdout)");
        if (type == SluiceConfig.OutputType.FILE && format == FileOutput.Format.PROTOBUF && framing == RecordFraming.BARE) {
            throw new ConfigException(o.key("framing"), "bare messages have no boundaries in a file: the protobuf file output needs length-delimited");
        }
        return new SluiceConfig.Output(type, path, format, countersPath, framing, jsonStyle, akvoradoTopic);
    }

    private static SluiceConfig.Sampling sampling(ConfigNode s) throws ConfigException {
        long dflt = s.integer("default", 0, 0, 0xFFFF_FFFFL);
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
        return new SluiceConfig.Sampling(dflt, Map.copyOf(exporters));
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

    /** {@code host:port}, {@code [v6]:port} or {@code :port} (all addresses); the host may be a name. */
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
        if (host.isEmpty()) host = "0.0.0.0";
        try {
            return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(portText));
        } catch (UnknownHostException e) {
            throw new ConfigException(key, "'" + text + "': unknown host '" + host + "'");
        }
    }
}

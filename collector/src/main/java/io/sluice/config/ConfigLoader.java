package io.sluice.config;


import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sluice.output.KafkaSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
    public static final int MAX_WORKERS = SluiceConfig.Listener.MAX_WORKERS;
    public static final String DEFAULT_RESOURCE = "/io/sluice/config/default.yaml";
    /** Keys whose children are free-form names that may contain dots. */
    private static final Set<String> PASS_THROUGH = Set.of("kafka.producer", "sampling.exporters");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {}

    /** As {@link #load(String[], Map)} without environment overrides (decode, tests). */
    public static SluiceConfig load(String[] args) throws ConfigException {
        return load(args, Map.of());
    }

    /**
     * Parses `run` arguments: {@code [--config FILE] [--set KEY=VALUE | --KEY=VALUE | --KEY VALUE]...}.
     * The file (or the embedded configuration) comes first, then the {@link EnvironmentOverrides} of
     * {@code environment}, then the flags.
     */
    public static SluiceConfig load(String[] args, Map<String, String> environment) throws ConfigException {
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
        ObjectNode withFlags = root.deepCopy(); // the keys the environment may set: those of the file and the flags
        for (String[] o : overrides) set(withFlags, o[0], o[1]);
        for (Map.Entry<String, String> e : EnvironmentOverrides.keys(withFlags, environment).entrySet()) {
            set(root, e.getKey(), e.getValue());
        }
        for (String[] o : overrides) set(root, o[0], o[1]);
        return bind(root);
    }

    /**
     * The keys a configuration tree can hold: every key the binding reads, list elements included. Each
     * section is read on its own, so that an error in one (a missing listener list, a bad value) still
     * leaves the keys of the others; the final bind reports the error.
     */
    static Set<String> keysOf(JsonNode tree) {
        Set<String> keys = new java.util.LinkedHashSet<>();
        ConfigNode root;
        try {
            if (tree instanceof ObjectNode o && !o.has("listeners")) {
                // no listener yet (they may all come from the environment): the keys of the first one are
                // SLUICE_LISTENERS_0_*, and the sections after the listeners are read too
                tree = o.deepCopy();
                ((ObjectNode) tree).putArray("listeners").addObject().put("address", "127.0.0.1:0");
            }
            root = new ConfigNode("", tree, keys);
        } catch (ConfigException e) {
            return keys;
        }
        List<ConfigSection> sections = List.of(
                () -> SettingsBinder.listeners(root),
                () -> SettingsBinder.kafka(root.object("kafka"), root.choice("backpressure", KafkaSettings.DEFAULTS.backpressure(), p -> p.configName)),
                () -> SettingsBinder.bind(root));
        for (ConfigSection section : sections) {
            try {
                section.read();
            } catch (ConfigException e) {
                // keys read before the error still count
            }
        }
        return keys;
    }

    private interface ConfigSection {
        void read() throws ConfigException;
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

    // ---- binding and validation: SettingsBinder ----

    static SluiceConfig bind(JsonNode tree) throws ConfigException {
        return SettingsBinder.bind(new ConfigNode("", tree));
    }

    static InetSocketAddress address(String key, String text) throws ConfigException {
        return SettingsBinder.address(key, text);
    }
}

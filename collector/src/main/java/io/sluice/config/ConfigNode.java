package io.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validating reads of one YAML mapping, each error naming the full key. Keys read are
 * remembered, so {@link #rejectUnknownKeys()} can name a misspelt key instead of ignoring it.
 */
final class ConfigNode {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private final String path;
    private final JsonNode node;
    private final Set<String> known = new LinkedHashSet<>();
    /** Every full key read through this node and its children (the environment overrides are matched against it). */
    private final Set<String> keysRead;

    ConfigNode(String path, JsonNode node) throws ConfigException {
        this(path, node, new LinkedHashSet<>());
    }

    ConfigNode(String path, JsonNode node, Set<String> keysRead) throws ConfigException {
        this.path = path;
        this.keysRead = keysRead;
        this.node = node == null || node.isNull() ? MissingNode.getInstance() : node;
        if (!this.node.isMissingNode() && !this.node.isObject()) {
            throw new ConfigException(path.isEmpty() ? "(top level)" : path, "expected a mapping of keys, got " + describe(this.node));
        }
    }

    String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private JsonNode get(String name) {
        known.add(name);
        keysRead.add(key(name));
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    ConfigNode object(String name) throws ConfigException {
        return new ConfigNode(key(name), get(name), keysRead);
    }

    /** The list under {@code name} (a single mapping counts as a list of one); empty when absent. */
    List<ConfigNode> objects(String name) throws ConfigException {
        JsonNode v = get(name);
        List<ConfigNode> out = new ArrayList<>();
        if (v == null) return out;
        if (v.isObject()) {
            out.add(new ConfigNode(key(name) + "[0]", v, keysRead));
            return out;
        }
        if (!v.isArray()) throw new ConfigException(key(name), "expected a list, got " + describe(v));
        for (int i = 0; i < v.size(); i++) out.add(new ConfigNode(key(name) + "[" + i + "]", v.get(i), keysRead));
        return out;
    }

    /** The list of text values under {@code name} (a single value counts as a list of one); null when absent. */
    List<String> strings(String name) throws ConfigException {
        JsonNode v = get(name);
        if (v == null) return null;
        List<String> out = new ArrayList<>();
        if (v.isValueNode()) {
            out.add(v.asText());
            return out;
        }
        if (!v.isArray()) throw new ConfigException(key(name), "expected a list, got " + describe(v));
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isValueNode()) throw new ConfigException(key(name) + "[" + i + "]", "expected a text value, got " + describe(v.get(i)));
            out.add(v.get(i).asText());
        }
        return out;
    }

    String string(String name, String dflt) throws ConfigException {
        JsonNode v = get(name);
        if (v == null) return dflt;
        if (!v.isValueNode()) throw new ConfigException(key(name), "expected a text value, got " + describe(v));
        return v.asText();
    }

    long integer(String name, long dflt, long min, long max) throws ConfigException {
        JsonNode v = get(name);
        if (v == null) return dflt;
        long value;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            value = v.asLong();
        } else if (v.isTextual() && v.asText().trim().matches("-?\\d+")) {
            value = Long.parseLong(v.asText().trim());
        } else {
            throw new ConfigException(key(name), "expected an integer between " + min + " and " + max + ", got " + describe(v));
        }
        if (value < min || value > max) {
            throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** A duration: an integer of milliseconds or a number with a unit (ms, s, m, h), e.g. {@code 100ms}, {@code 10s}. */
    Duration duration(String name, Duration dflt, Duration min) throws ConfigException {
        JsonNode v = get(name);
        if (v == null) return dflt;
        Duration d;
        if (v.isIntegralNumber()) {
            d = Duration.ofMillis(v.asLong());
        } else {
            Matcher m = v.isTextual() ? DURATION.matcher(v.asText().trim()) : null;
            if (m == null || !m.matches()) {
                throw new ConfigException(key(name), "expected a duration such as 100ms, 10s or 2m, got " + describe(v));
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "ms" : m.group(2);
            d = switch (unit) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofMillis(n);
            };
        }
        if (d.compareTo(min) < 0) throw new ConfigException(key(name), "must be at least " + min.toMillis() + " ms, got " + d.toMillis() + " ms");
        return d;
    }

    /** One of {@code allowed} (as written in the config). */
    String choice(String name, String dflt, String... allowed) throws ConfigException {
        String v = string(name, dflt);
        for (String a : allowed) if (a.equals(v)) return v;
        throw new ConfigException(key(name), "must be one of " + String.join(" | ", allowed) + ", got '" + v + "'");
    }

    /**
     * One constant of the enum of {@code dflt}, written in the config as its {@code configName}: the
     * modules' enums are chosen by the names they declare, so no name is spelled twice.
     */
    <E extends Enum<E>> E choice(String name, E dflt, java.util.function.Function<E, String> configName) throws ConfigException {
        E[] values = dflt.getDeclaringClass().getEnumConstants();
        String[] names = new String[values.length];
        for (int i = 0; i < values.length; i++) names[i] = configName.apply(values[i]);
        String v = choice(name, configName.apply(dflt), names);
        for (E e : values) if (configName.apply(e).equals(v)) return e;
        throw new IllegalStateException(v);
    }

    /** A mapping passed through as text (producer properties, exporter rates). */
    java.util.Map<String, JsonNode> entries(String name) throws ConfigException {
        JsonNode v = get(name);
        java.util.Map<String, JsonNode> out = new java.util.LinkedHashMap<>();
        if (v == null) return out;
        if (!v.isObject()) throw new ConfigException(key(name), "expected a mapping, got " + describe(v));
        v.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    void rejectUnknownKeys() throws ConfigException {
        var names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!known.contains(n)) {
                throw new ConfigException(key(n), "unknown key (known here: " + String.join(", ", known) + ")");
            }
        }
    }

    static String describe(JsonNode v) {
        if (v.isTextual()) return "'" + v.asText() + "'";
        if (v.isObject()) return "a mapping";
        if (v.isArray()) return "a list";
        return v.toString();
    }
}

package io.sluice.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.output.KafkaSettings;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Configuration keys from the environment, for containers and systemd units: {@code SLUICE_} then the key
 * in capitals with every run of other characters as one {@code _}: {@code SLUICE_KAFKA_BOOTSTRAP_SERVERS}
 * is {@code kafka.bootstrap-servers}, {@code SLUICE_LISTENERS_0_WORKERS} is {@code listeners[0].workers},
 * {@code SLUICE_KAFKA_PRODUCER_LINGER_MS} is {@code kafka.producer.linger.ms}. A variable is matched against
 * the keys the configuration actually has (so "_" can stand for "." and "-"); other {@code SLUICE_*}
 * variables (the launchers' own, such as {@code SLUICE_JAVA_OPTS}) are left alone.
 */
final class EnvironmentOverrides {
    static final String PREFIX = "SLUICE_";
    private static final String PRODUCER = "KAFKA_PRODUCER_";

    private EnvironmentOverrides() {}

    /** The configuration keys set by {@code environment}, with their values, in a stable order. */
    static Map<String, String> keys(JsonNode tree, Map<String, String> environment) {
        Map<String, String> byVariable = new LinkedHashMap<>();
        for (String key : ConfigLoader.keysOf(tree)) byVariable.putIfAbsent(variableName(key), key);
        Map<String, String> producer = new LinkedHashMap<>();
        for (String name : KafkaSettings.producerPropertyNames()) producer.putIfAbsent(variableName(name), name);
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(environment).entrySet()) {
            if (!e.getKey().startsWith(PREFIX)) continue;
            String rest = e.getKey().substring(PREFIX.length());
            String key = byVariable.get(rest);
            if (key == null && rest.startsWith(PRODUCER)) {
                String name = producer.get(rest.substring(PRODUCER.length()));
                if (name != null) key = "kafka.producer." + name;
            }
            if (key != null) out.put(key, e.getValue());
        }
        return out;
    }

    /** {@code listeners[0].workers} → {@code LISTENERS_0_WORKERS} (without the prefix). */
    static String variableName(String key) {
        String v = key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
        return v.replaceAll("^_|_$", "");
    }
}

package io.sluice.config;

/** An invalid configuration: names the key and says what is wrong, for the operator to fix. */
public final class ConfigException extends Exception {
    private final String key;
    private final String problem;

    public ConfigException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
        this.problem = problem;
    }

    /** The dotted key, e.g. {@code listeners[0].workers}. */
    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }
}

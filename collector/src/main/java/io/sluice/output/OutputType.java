package io.sluice.output;

/** Where flows go: the key {@code output.type}. */
public enum OutputType {
    KAFKA("kafka"), FILE("file"), NONE("none");

    public final String configName;

    OutputType(String configName) {
        this.configName = configName;
    }
}

package io.sluice.output;

/** Where flows go: the key {@code output.type}. */
public enum OutputType {
    KAFKA("kafka"), FILE("file"), NONE("none"),
    /** Each datagram undecoded as Akvorado's RawFlow, for an Akvorado outlet (docs/goflow2-compatibility.md). */
    AKVORADO("akvorado");

    public final String configName;

    OutputType(String configName) {
        this.configName = configName;
    }
}

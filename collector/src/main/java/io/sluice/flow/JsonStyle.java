package io.sluice.flow;

/** How flows are printed as JSON (`sluice decode --json-style`, {@code output.file.json-style}, watch). */
public enum JsonStyle {
    /** sluice's: flow.proto field names, only fields that are set, numbers as numbers, addresses as text. */
    SLUICE("sluice"),
    /**
     * goflow2's JSON formatter conventions (its producer/proto render rules): every goflow2 field in
     * flow.proto order with zeros included, type/etype/proto by name, src_net/dst_net as CIDR prefixes;
     * then sluice's own fields, when set.
     */
    GOFLOW2("goflow2");

    public final String configName;

    JsonStyle(String configName) {
        this.configName = configName;
    }

    public static JsonStyle fromConfig(String name) {
        for (JsonStyle s : values()) if (s.configName.equals(name)) return s;
        return null;
    }
}

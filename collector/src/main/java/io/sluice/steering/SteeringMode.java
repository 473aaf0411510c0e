package io.sluice.steering;

import java.util.Locale;

/** How datagrams are spread over the sockets of a reuseport group; chosen at load time. */
public enum SteeringMode {
    /** bpf_get_prandom_u32() % num_sockets. */
    RANDOM("random", "reuseport_random"),
    /** A per-CPU counter: each CPU cycles over all sockets. */
    ROUND_ROBIN("round-robin", "reuseport_round_robin"),
    /** No program: the kernel's 4-tuple hash (all of one exporter's packets go to one socket). */
    HASH("hash", null);

    private final String configName;
    private final String programName;

    SteeringMode(String configName, String programName) {
        this.configName = configName;
        this.programName = programName;
    }

    /** The name used in config files and flags: random, round-robin, hash. */
    public String configName() {
        return configName;
    }

    /** The program of sluice_reuseport.bpf.o this mode loads; null for {@link #HASH}. */
    public String programName() {
        return programName;
    }

    /** The program that filters only and leaves the socket to the kernel's hash (steering hash with a guard). */
    public static final String HASH_GUARD_PROGRAM = "reuseport_hash_guard";

    /** The program to load when a guard is configured or not; null: none (hash without a guard). */
    public String programName(boolean guarded) {
        return programName != null ? programName : guarded ? HASH_GUARD_PROGRAM : null;
    }

    /** Every program name of the object's steering modes (those a load turns off but one). */
    public static java.util.List<String> programNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (SteeringMode m : values()) if (m.usesProgram()) names.add(m.programName);
        names.add(HASH_GUARD_PROGRAM);
        return names;
    }

    public boolean usesProgram() {
        return programName != null;
    }

    /** Parses a config name (case-insensitive; "round_robin" also accepted). */
    public static SteeringMode parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (SteeringMode m : values()) {
            if (m.configName.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown steering mode '" + name + "': expected random, round-robin or hash");
    }

    @Override
    public String toString() {
        return configName;
    }
}

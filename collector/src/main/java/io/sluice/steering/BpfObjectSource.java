package io.sluice.steering;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Where the compiled sk_reuseport object comes from: the collector jar (built by Maven from
 * bpf/sluice_reuseport.bpf.c) or an explicit file (operators, tests).
 */
public final class BpfObjectSource {
    /** The classpath resource the build puts in the jar. */
    public static final String RESOURCE = "bpf/sluice_reuseport.bpf.o";

    private final String resource;
    private final Path file;

    private BpfObjectSource(String resource, Path file) {
        this.resource = resource;
        this.file = file;
    }

    /** The object packaged in the collector jar. */
    public static BpfObjectSource bundled() {
        return classpath(RESOURCE);
    }

    public static BpfObjectSource classpath(String resource) {
        return new BpfObjectSource(resource.startsWith("/") ? resource.substring(1) : resource, null);
    }

    public static BpfObjectSource file(Path file) {
        return new BpfObjectSource(null, file.toAbsolutePath());
    }

    /** "classpath:bpf/sluice_reuseport.bpf.o" or the absolute file path: what messages name. */
    public String name() {
        return file != null ? file.toString() : "classpath:" + resource;
    }

    /** The object's bytes. */
    byte[] read() {
        try {
            if (file != null) {
                return Files.readAllBytes(file);
            }
            try (InputStream in = BpfObjectSource.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new BpfObjectException("BPF object " + name() + " not found on the classpath "
                            + "(the build compiles bpf/sluice_reuseport.bpf.c into it: is clang installed?)");
                }
                return in.readAllBytes();
            }
        } catch (NoSuchFileException e) {
            throw new BpfObjectException("BPF object file " + name() + " not found", e);
        } catch (IOException e) {
            throw new BpfObjectException("cannot read BPF object " + name() + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}

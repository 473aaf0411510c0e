package io.sluice.steering;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.libbpf_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * One libbpf object from open to close, in the two phases of cilium/ebpf's CollectionSpec and
 * Collection: {@link #open} parses the ELF; before {@link #load} the caller picks the one program to
 * keep ({@link #keepOnlyProgram}), sets the load-time constant ({@link #setConst}) and finds its maps
 * ({@link #map}); after it, {@link #programFd} and {@link MapHandle#fd} are live kernel objects, released
 * by {@link #close}. {@link BpfSteering} and {@link OwnerMap} are both written on top of it, so the libbpf
 * lifecycle and its error conventions (NULL + errno, -errno) are spelled once.
 *
 * <p>Not thread-safe: one owner builds and loads it; the fds may then be used from any thread.
 */
public final class BpfObject implements AutoCloseable {
    private final BpfObjectSource source;
    private final Arena arena;
    private final MemorySegment errno;
    private final MemorySegment object;
    private boolean loaded;
    private boolean closed;

    /** A map of the object: its shape before load, its fd after. */
    public final class MapHandle {
        private final String name;
        private final MemorySegment map;

        private MapHandle(String name, MemorySegment map) {
            this.name = name;
            this.map = map;
        }

        public int maxEntries() {
            return libbpf_h.bpf_map__max_entries(map);
        }

        /** The map's fd, owned by the object (closed with it). */
        public int fd() {
            if (!loaded) throw new IllegalStateException("map '" + name + "' of " + source.name() + " is not loaded yet");
            int fd = libbpf_h.bpf_map__fd(map);
            if (fd < 0) throw new BpfLoadException("BPF object " + source.name() + " loaded without a fd for map '" + name + "'", 0);
            return fd;
        }
    }

    private BpfObject(BpfObjectSource source, Arena arena, MemorySegment errno, MemorySegment object) {
        this.source = source;
        this.arena = arena;
        this.errno = errno;
        this.object = object;
    }

    /**
     * Reads and parses {@code source} (nothing reaches the kernel yet).
     *
     * @throws BpfObjectException not a BPF ELF object
     * @throws BpfLoadException libbpf is not installed or not loadable
     */
    public static BpfObject open(BpfObjectSource source) {
        byte[] bytes = source.read();
        try {
            LibbpfLogRouter.install();
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new BpfLoadException("libbpf is not usable: " + e.getMessage(), e);
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment errno = Errno.allocate(arena);
            // libbpf may keep pointing into the buffer until close: it lives in the object's arena.
            MemorySegment buffer = arena.allocate(bytes.length, 8);
            MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, bytes.length);
            // struct bpf_object_open_opts { size_t sz; const char *object_name; ... }: a short sz is
            // valid (older callers), and names the object in libbpf's messages.
            MemorySegment opts = arena.allocate(16, 8);
            opts.set(ValueLayout.JAVA_LONG, 0, 16L);
            opts.set(ValueLayout.ADDRESS, 8, arena.allocateFrom(shortName(source)));
            MemorySegment object = libbpf_h.bpf_object__open_mem(errno, buffer, bytes.length, opts);
            if (object.equals(MemorySegment.NULL)) {
                throw new BpfObjectException("cannot open BPF object " + source.name()
                        + " (not a valid BPF ELF object?): " + Errno.describe(Errno.read(errno)));
            }
            return new BpfObject(source, arena, errno, object);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Loads only {@code name} of {@code candidates} (null: none of them, for an object used for its maps):
     * each other program would cost a verifier pass and might not even load on this kernel.
     *
     * @throws BpfObjectException {@code name} is not in the object
     */
    public BpfObject keepOnlyProgram(String name, List<String> candidates) {
        checkBeforeLoad();
        if (name != null) findProgram(name);
        for (String other : candidates) {
            if (other.equals(name)) continue;
            MemorySegment prog = libbpf_h.bpf_object__find_program_by_name(errno, object, arena.allocateFrom(other));
            if (!prog.equals(MemorySegment.NULL)) libbpf_h.bpf_program__set_autoload(prog, false);
        }
        return this;
    }

    /**
     * Sets the 4-byte {@code volatile const} that is the only constant of {@code section} (e.g. .rodata).
     *
     * @throws BpfObjectException the section is missing or holds more than one int
     */
    public BpfObject setConst(String section, int value) {
        checkBeforeLoad();
        MemorySegment map = libbpf_h.bpf_object__find_map_by_name(errno, object, arena.allocateFrom(section));
        if (map.equals(MemorySegment.NULL) || libbpf_h.bpf_map__value_size(map) != 4) {
            throw new BpfObjectException("BPF object " + source.name() + " has no 4-byte " + section
                    + " holding a single 'volatile const __u32'");
        }
        MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
        v.set(ValueLayout.JAVA_INT, 0, value);
        int rc = libbpf_h.bpf_map__set_initial_value(map, v, 4);
        if (rc < 0) throw new BpfObjectException("cannot set " + section + " of " + source.name() + ": " + Errno.describe(-rc));
        return this;
    }

    /**
     * The map {@code name}, checked to have values of {@code valueSize} bytes (0: not checked).
     *
     * @throws BpfObjectException no such map, or another value layout (an object of another version)
     */
    public MapHandle map(String name, int valueSize) {
        checkOpen();
        MemorySegment map = libbpf_h.bpf_object__find_map_by_name(errno, object, arena.allocateFrom(name));
        if (map.equals(MemorySegment.NULL)) {
            throw new BpfObjectException("BPF object " + source.name() + " has no map '" + name + "'");
        }
        if (valueSize > 0 && libbpf_h.bpf_map__value_size(map) != valueSize) {
            throw new BpfObjectException("map '" + name + "' of " + source.name() + " has " + libbpf_h.bpf_map__value_size(map)
                    + "-byte values, expected " + valueSize);
        }
        return new MapHandle(name, map);
    }

    /**
     * Creates the maps and loads the kept program. {@code what} names it in the error.
     *
     * @throws BpfLoadException the kernel refused (privilege, verifier, old kernel, unknown map type),
     *     with the verifier's last line when it printed one
     */
    public BpfObject load(String what) {
        checkBeforeLoad();
        LibbpfLogRouter.startCapture();
        List<String> libbpfSaid;
        int rc;
        try {
            rc = libbpf_h.bpf_object__load(object);
        } finally {
            libbpfSaid = LibbpfLogRouter.stopCapture();
        }
        if (rc < 0) {
            throw new BpfLoadException("the kernel refused " + what + " of " + source.name() + ": " + Errno.describe(-rc)
                    + verifierReason(libbpfSaid), -rc);
        }
        loaded = true;
        return this;
    }

    /** The fd of the loaded program {@code name}, owned by the object. */
    public int programFd(String name) {
        if (!loaded) throw new IllegalStateException("program '" + name + "' of " + source.name() + " is not loaded yet");
        int fd = libbpf_h.bpf_program__fd(findProgram(name));
        if (fd < 0) throw new BpfLoadException("BPF object " + source.name() + " loaded without program '" + name + "'", -fd);
        return fd;
    }

    public BpfObjectSource source() {
        return source;
    }

    private MemorySegment findProgram(String name) {
        MemorySegment prog = libbpf_h.bpf_object__find_program_by_name(errno, object, arena.allocateFrom(name));
        if (prog.equals(MemorySegment.NULL)) {
            throw new BpfObjectException("BPF object " + source.name() + " has no program '" + name + "'");
        }
        return prog;
    }

    private void checkBeforeLoad() {
        checkOpen();
        if (loaded) throw new IllegalStateException("BPF object " + source.name() + " is already loaded");
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("BPF object " + source.name() + " is closed");
    }

    private static String shortName(BpfObjectSource source) {
        String name = source.name();
        int slash = name.lastIndexOf('/');
        return slash >= 0 ? name.substring(slash + 1) : name;
    }

    /** The verifier's own words: the last non-empty line of the program load log, if libbpf printed one. */
    static String verifierReason(List<String> messages) {
        String last = null;
        boolean inLog = false;
        for (String message : messages) {
            for (String line : message.split("\n")) {
                String p = line.strip();
                if (p.contains("-- BEGIN PROG LOAD LOG --")) {
                    inLog = true;
                } else if (p.contains("-- END PROG LOAD LOG --")) {
                    inLog = false;
                } else if (inLog && !p.isEmpty() && !p.startsWith("processed ") && !p.startsWith("verification time")) {
                    last = p;
                }
            }
        }
        return last == null ? "" : " (verifier: " + last + ")";
    }

    /** Closes the program and map fds this process holds (pins and attached programs outlive it). Idempotent. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        libbpf_h.bpf_object__close(object);
        arena.close();
    }
}

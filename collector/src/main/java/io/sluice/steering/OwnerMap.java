package io.sluice.steering;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.libbpf_h;
import io.sluice.libbpf.unistd_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The {@code owner} map of sluice_reuseport.bpf.c: one entry saying which process owns a listener's
 * pins (encoded by {@code io.sluice.handover.OwnerRecord}). bpffs holds only BPF objects, so the
 * record is a pinned one-entry ARRAY map; it is created from the bundled object (with no program
 * loaded) rather than with a bare bpf_map_create so that it carries BTF and
 * {@code bpftool map dump pinned <dir>/owner} prints its fields by name. A process on the kernel
 * hash has no program and still writes one, so that its successor can find and stop it.
 */
public final class OwnerMap {
    /** sizeof(struct sluice_owner). */
    public static final int VALUE_SIZE = 32;
    private static final String MAP_NAME = "owner";
    private static final String RODATA = ".rodata";

    private OwnerMap() {}

    /**
     * Creates the map from {@code source}, writes {@code value} at key 0 and pins it at {@code pin}
     * (which must not exist; its directory must be on a bpffs). The pin keeps the map alive after
     * this call closes its own fds.
     */
    public static void pin(BpfObjectSource source, Path pin, byte[] value) {
        if (value.length != VALUE_SIZE) {
            throw new IllegalArgumentException("an owner record is " + VALUE_SIZE + " bytes, got " + value.length);
        }
        byte[] bytes = source.read();
        try {
            LibbpfLogRouter.install();
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new BpfLoadException("libbpf is not usable: " + e.getMessage(), e);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            MemorySegment buffer = arena.allocate(bytes.length, 8);
            MemorySegment.copy(bytes, 0, buffer, ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment object = libbpf_h.bpf_object__open_mem(errno, buffer, bytes.length, MemorySegment.NULL);
            if (object.equals(MemorySegment.NULL)) {
                throw new BpfObjectException("cannot open BPF object " + source.name() + ": " + Errno.describe(Errno.read(errno)));
            }
            try {
                // Maps only: the programs would cost a verifier pass each and are not needed here.
                for (SteeringMode m : SteeringMode.values()) {
                    if (m.usesProgram()) {
                        MemorySegment prog = libbpf_h.bpf_object__find_program_by_name(errno, object,
                                arena.allocateFrom(m.programName()));
                        if (!prog.equals(MemorySegment.NULL)) {
                            libbpf_h.bpf_program__set_autoload(prog, false);
                        }
                    }
                }
                MemorySegment map = libbpf_h.bpf_object__find_map_by_name(errno, object, arena.allocateFrom(MAP_NAME));
                if (map.equals(MemorySegment.NULL) || libbpf_h.bpf_map__value_size(map) != VALUE_SIZE) {
                    throw new BpfObjectException("BPF object " + source.name() + " has no map '" + MAP_NAME
                            + "' with a " + VALUE_SIZE + "-byte struct sluice_owner");
                }
                // .rodata (num_sockets) must have a value before load; nothing reads it here.
                MemorySegment rodata = libbpf_h.bpf_object__find_map_by_name(errno, object, arena.allocateFrom(RODATA));
                if (!rodata.equals(MemorySegment.NULL)) {
                    MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
                    one.set(ValueLayout.JAVA_INT, 0, 1);
                    libbpf_h.bpf_map__set_initial_value(rodata, one, 4);
                }
                int rc = libbpf_h.bpf_object__load(object);
                if (rc < 0) {
                    throw new BpfLoadException("cannot create the owner map from " + source.name() + ": "
                            + Errno.describe(-rc), -rc);
                }
                int fd = libbpf_h.bpf_map__fd(map);
                MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
                MemorySegment v = arena.allocate(VALUE_SIZE, 8);
                MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, VALUE_SIZE);
                rc = libbpf_h.bpf_map_update_elem(fd, key, v, libbpf_h.BPF_ANY());
                if (rc < 0) {
                    throw new BpfLoadException("cannot write the owner record: " + Errno.describe(-rc), -rc);
                }
                rc = libbpf_h.bpf_obj_pin(fd, arena.allocateFrom(pin.toString()));
                if (rc < 0) {
                    throw new BpfLoadException("cannot pin the owner record at " + pin + ": " + Errno.describe(-rc), -rc);
                }
            } finally {
                libbpf_h.bpf_object__close(object);
            }
        }
    }

    /**
     * The record pinned at {@code pin}: empty if nothing is pinned there.
     *
     * @throws BpfLoadException the pin exists but is not an owner map this version can read
     */
    public static Optional<byte[]> read(Path pin) {
        try (Arena arena = Arena.ofConfined()) {
            int fd;
            try {
                fd = libbpf_h.bpf_obj_get(arena.allocateFrom(pin.toString()));
            } catch (UnsatisfiedLinkError e) {
                throw new BpfLoadException("libbpf is not usable: " + e.getMessage(), e);
            }
            if (fd == -2) { // ENOENT
                return Optional.empty();
            }
            if (fd < 0) {
                throw new BpfLoadException("cannot open the owner record " + pin + ": " + Errno.describe(-fd), -fd);
            }
            try {
                MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
                // Sized generously: a larger value (another layout) must not overrun the buffer.
                MemorySegment value = arena.allocate(4096, 8);
                int rc = libbpf_h.bpf_map_lookup_elem(fd, key, value);
                if (rc < 0) {
                    throw new BpfLoadException("cannot read the owner record " + pin + " (not an owner map?): "
                            + Errno.describe(-rc), -rc);
                }
                return Optional.of(value.asSlice(0, VALUE_SIZE).toArray(ValueLayout.JAVA_BYTE));
            } finally {
                unistd_h.close(Errno.allocate(arena), fd);
            }
        }
    }
}

package io.sluice.steering;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.errno_h;
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
        // Maps only: the programs would cost a verifier pass each and are not needed here;
        // .rodata (num_sockets) must have a value before load, nothing reads it.
        try (BpfObject object = BpfObject.open(source).keepOnlyProgram(null, SteeringMode.programNames()).setConst(RODATA, 1);
             Arena arena = Arena.ofConfined()) {
            BpfObject.MapHandle map = object.map(MAP_NAME, VALUE_SIZE);
            object.load("the owner map");
            int fd = map.fd();
            MemorySegment key = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment v = arena.allocate(VALUE_SIZE, 8);
            MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, VALUE_SIZE);
            int rc = libbpf_h.bpf_map_update_elem(fd, key, v, libbpf_h.BPF_ANY());
            if (rc < 0) {
                throw new BpfLoadException("cannot write the owner record: " + Errno.describe(-rc), -rc);
            }
            rc = libbpf_h.bpf_obj_pin(fd, arena.allocateFrom(pin.toString()));
            if (rc < 0) {
                throw new BpfLoadException("cannot pin the owner record at " + pin + ": " + Errno.describe(-rc), -rc);
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
            if (fd == -errno_h.ENOENT()) {
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

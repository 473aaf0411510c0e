package io.sluice.steering;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.libbpf_h;
import io.sluice.libbpf.socket_h;
import io.sluice.socket.ReuseportSocketGroup;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The loaded sk_reuseport program of one listener and its socket map: open the object, set
 * {@code num_sockets}, load, fill the map with a group's sockets, attach to the group, and later
 * {@link #swap} in another group bound to the same port (the graceful-restart primitive), detach,
 * close.
 *
 * <p>Typical use: {@code BpfSteering.load(source, mode, group.size())}, then {@link #attach(ReuseportSocketGroup)}
 * (fills the map, then attaches). {@link Steering#attachOrFallback} wraps this with the fallback to the
 * kernel hash. Not thread-safe for concurrent swaps; reads are fine.
 */
public final class BpfSteering implements AutoCloseable {
    private static final String MAP_NAME = "socket_map";
    private static final String RODATA = ".rodata";

    private final BpfObjectSource source;
    private final SteeringMode mode;
    private final int numSockets;
    private final Arena arena;
    private final MemorySegment object;
    private final int programFd;
    private final SocketMap socketMap;
    private ReuseportSocketGroup current;
    private boolean attached;
    private boolean closed;

    private BpfSteering(BpfObjectSource source, SteeringMode mode, int numSockets, Arena arena,
            MemorySegment object, int programFd, SocketMap socketMap) {
        this.source = source;
        this.mode = mode;
        this.numSockets = numSockets;
        this.arena = arena;
        this.object = object;
        this.programFd = programFd;
        this.socketMap = socketMap;
    }

    /**
     * Opens {@code source}, keeps only {@code mode}'s program, sets {@code num_sockets} and loads it.
     *
     * @throws IllegalArgumentException mode HASH (no program), or numSockets outside 1..256 (before
     *     anything touches the kernel)
     * @throws BpfObjectException the object is missing, corrupt or lacks the program/map/constant
     * @throws BpfLoadException the kernel refused (privilege, verifier, old kernel) or libbpf is missing
     */
    public static BpfSteering load(BpfObjectSource source, SteeringMode mode, int numSockets) {
        if (!mode.usesProgram()) {
            throw new IllegalArgumentException("steering mode " + mode + " loads no program");
        }
        SocketMap.checkFits(numSockets);
        byte[] bytes = source.read();
        try {
            LibbpfLogRouter.install();
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw new BpfLoadException("libbpf is not usable: " + e.getMessage(), e);
        }
        Arena arena = Arena.ofShared();
        MemorySegment object = MemorySegment.NULL;
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
            object = libbpf_h.bpf_object__open_mem(errno, buffer, bytes.length, opts);
            if (object.equals(MemorySegment.NULL)) {
                throw new BpfObjectException("cannot open BPF object " + source.name()
                        + " (not a valid BPF ELF object?): " + Errno.describe(Errno.read(errno)));
            }
            for (SteeringMode m : SteeringMode.values()) {
                if (!m.usesProgram()) {
                    continue;
                }
                MemorySegment prog = findProgram(errno, arena, object, m.programName(), source, m == mode);
                if (m != mode && !prog.equals(MemorySegment.NULL)) {
                    libbpf_h.bpf_program__set_autoload(prog, false);
                }
            }
            MemorySegment rodata = libbpf_h.bpf_object__find_map_by_name(errno, object, arena.allocateFrom(RODATA));
            if (rodata.equals(MemorySegment.NULL) || libbpf_h.bpf_map__value_size(rodata) != 4) {
                throw new BpfObjectException("BPF object " + source.name()
                        + " has no 4-byte .rodata holding only 'volatile const __u32 num_sockets'");
            }
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            value.set(ValueLayout.JAVA_INT, 0, numSockets);
            int rc = libbpf_h.bpf_map__set_initial_value(rodata, value, 4);
            if (rc < 0) {
                throw new BpfObjectException("cannot set num_sockets in " + source.name() + ": " + Errno.describe(-rc));
            }
            MemorySegment map = libbpf_h.bpf_object__find_map_by_name(errno, object, arena.allocateFrom(MAP_NAME));
            if (map.equals(MemorySegment.NULL)) {
                throw new BpfObjectException("BPF object " + source.name() + " has no map '" + MAP_NAME + "'");
            }
            if (libbpf_h.bpf_map__max_entries(map) < numSockets) {
                throw new BpfObjectException("map '" + MAP_NAME + "' of " + source.name() + " holds "
                        + libbpf_h.bpf_map__max_entries(map) + " sockets, fewer than " + numSockets);
            }
            LibbpfLogRouter.startCapture();
            List<String> libbpfSaid;
            try {
                rc = libbpf_h.bpf_object__load(object);
            } finally {
                libbpfSaid = LibbpfLogRouter.stopCapture();
            }
            if (rc < 0) {
                throw new BpfLoadException("the kernel refused BPF program '" + mode.programName() + "' of "
                        + source.name() + ": " + Errno.describe(-rc) + verifierReason(libbpfSaid), -rc);
            }
            MemorySegment prog = findProgram(errno, arena, object, mode.programName(), source, true);
            int progFd = libbpf_h.bpf_program__fd(prog);
            int mapFd = libbpf_h.bpf_map__fd(map);
            if (progFd < 0 || mapFd < 0) {
                throw new BpfLoadException("BPF object " + source.name() + " loaded without program or map fd", 0);
            }
            return new BpfSteering(source, mode, numSockets, arena, object, progFd,
                    new SocketMap(mapFd, "socket map of " + source.name()));
        } catch (RuntimeException | Error e) {
            if (!object.equals(MemorySegment.NULL)) {
                libbpf_h.bpf_object__close(object);
            }
            arena.close();
            throw e;
        }
    }

    private static MemorySegment findProgram(MemorySegment errno, Arena arena, MemorySegment object, String name,
            BpfObjectSource source, boolean required) {
        MemorySegment prog = libbpf_h.bpf_object__find_program_by_name(errno, object, arena.allocateFrom(name));
        if (required && prog.equals(MemorySegment.NULL)) {
            throw new BpfObjectException("BPF object " + source.name() + " has no program '" + name + "'");
        }
        return prog;
    }

    private static String shortName(BpfObjectSource source) {
        String name = source.name();
        int slash = name.lastIndexOf('/');
        return slash >= 0 ? name.substring(slash + 1) : name;
    }

    /** The verifier's own words: the last non-empty line of the program load log, if libbpf printed one. */
    private static String verifierReason(List<String> messages) {
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

    /** Fills the map with {@code group}'s sockets and attaches the program to the group. */
    public void attach(ReuseportSocketGroup group) {
        checkOpen();
        checkSize(group);
        socketMap.putAll(group);
        current = group;
        setProgram(group, socket_h.SO_ATTACH_REUSEPORT_EBPF(), programFd, "attach");
        attached = true;
    }

    /**
     * Steers to {@code next} instead of the current group: {@code next} is bound to the same address
     * (so it joined the same reuseport group) and has as many sockets (num_sockets is a load-time
     * constant). Each slot switches atomically; afterwards stop the old group's workers (they drain
     * until EAGAIN) and close its sockets.
     */
    public void swap(ReuseportSocketGroup next) {
        checkOpen();
        checkSize(next);
        if (current != null && !current.localAddress().equals(next.localAddress())) {
            throw new IllegalArgumentException("cannot swap " + current + " for " + next + ": not the same address");
        }
        socketMap.putAll(next);
        current = next;
    }

    /**
     * Pins the socket map at {@code path} (the listener's {@code socket_map} pin, see handover.PinDirectory) so that a later
     * process can open it with {@link SocketMap#openPinned} and put its own sockets in.
     */
    public void pinMap(java.nio.file.Path path) {
        checkOpen();
        socketMap.pin(path);
    }

    /** Removes the program from the group: the kernel's hash decides again. */
    public void detach() {
        checkOpen();
        if (!attached || current == null || current.isClosed()) {
            attached = false;
            return;
        }
        setProgram(current, socket_h.SO_DETACH_REUSEPORT_BPF(), 0, "detach");
        attached = false;
    }

    private void setProgram(ReuseportSocketGroup group, int option, int value, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(a);
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            v.set(ValueLayout.JAVA_INT, 0, value);
            int rc = socket_h.setsockopt(errno, group.fd(0), socket_h.SOL_SOCKET(), option, v, 4);
            if (rc != 0) {
                int e = Errno.read(errno);
                throw new BpfLoadException("cannot " + what + " BPF program " + (option == socket_h.SO_ATTACH_REUSEPORT_EBPF()
                        ? "to " : "from ") + group + ": " + Errno.describe(e), e);
            }
        }
    }

    private void checkSize(ReuseportSocketGroup group) {
        if (group.size() != numSockets) {
            throw new IllegalArgumentException("the program was loaded for " + numSockets + " sockets, " + group
                    + " has " + group.size());
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("BPF steering of " + source.name() + " is closed");
        }
    }

    public SteeringMode mode() {
        return mode;
    }

    public int numSockets() {
        return numSockets;
    }

    public int programFd() {
        return programFd;
    }

    public SocketMap socketMap() {
        return socketMap;
    }

    public boolean attached() {
        return attached;
    }

    /** The group the map currently steers to, null before {@link #attach}. */
    public ReuseportSocketGroup currentGroup() {
        return current;
    }

    public BpfObjectSource source() {
        return source;
    }

    /**
     * Releases this process's program and map fds. An attached program stays in force while its
     * reuseport group lives (the kernel holds it); call {@link #detach()} first to return to the hash.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        libbpf_h.bpf_object__close(object);
        arena.close();
    }
}

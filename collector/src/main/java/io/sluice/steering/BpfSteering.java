package io.sluice.steering;

import io.sluice.socket.ReuseportSocketGroup;

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
    private final BpfObject object;
    private final int programFd;
    private final SocketMap socketMap;
    private final GuardMaps guard;
    private ReuseportSocketGroup current;
    private boolean attached;
    private boolean closed;

    private BpfSteering(BpfObjectSource source, SteeringMode mode, int numSockets, BpfObject object, int programFd,
            SocketMap socketMap, GuardMaps guard) {
        this.source = source;
        this.mode = mode;
        this.numSockets = numSockets;
        this.object = object;
        this.programFd = programFd;
        this.socketMap = socketMap;
        this.guard = guard;
    }

    /** {@link #load(BpfObjectSource, SteeringMode, int, GuardRules)} without a guard. */
    public static BpfSteering load(BpfObjectSource source, SteeringMode mode, int numSockets) {
        return load(source, mode, numSockets, GuardRules.NONE);
    }

    /**
     * Opens {@code source}, keeps only {@code mode}'s program (with a guard, {@link SteeringMode#HASH}
     * has one too: it filters and leaves the choice to the kernel), sets {@code num_sockets}, loads it
     * and puts {@code rules} in its guard maps before anything is attached.
     *
     * @throws IllegalArgumentException mode HASH without a guard (no program), or numSockets outside
     *     1..256 (before anything touches the kernel)
     * @throws BpfObjectException the object is missing, corrupt or lacks the program/map/constant
     * @throws BpfLoadException the kernel refused (privilege, verifier, old kernel, map type) or libbpf is missing
     */
    public static BpfSteering load(BpfObjectSource source, SteeringMode mode, int numSockets, GuardRules rules) {
        String program = mode.programName(rules.enforcing());
        if (program == null) {
            throw new IllegalArgumentException("steering mode " + mode + " loads no program");
        }
        SocketMap.checkFits(numSockets);
        BpfObject object = BpfObject.open(source);
        try {
            object.keepOnlyProgram(program, SteeringMode.programNames()).setConst(RODATA, numSockets);
            BpfObject.MapHandle map = object.map(MAP_NAME, 0);
            if (map.maxEntries() < numSockets) {
                throw new BpfObjectException("map '" + MAP_NAME + "' of " + source.name() + " holds "
                        + map.maxEntries() + " sockets, fewer than " + numSockets);
            }
            GuardMaps.Handles guardMaps = GuardMaps.find(object);
            object.load("BPF program '" + program + "'");
            GuardMaps guard = guardMaps.live();
            guard.apply(rules);
            return new BpfSteering(source, mode, numSockets, object, object.programFd(program),
                    new SocketMap(map.fd(), "socket map of " + source.name()), guard);
        } catch (RuntimeException | Error e) {
            object.close();
            throw e;
        }
    }

    /** Fills the map with {@code group}'s sockets and attaches the program to the group. */
    public void attach(ReuseportSocketGroup group) {
        checkOpen();
        checkSize(group);
        socketMap.putAll(group);
        current = group;
        ReuseportProgram.attach(group, programFd);
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
        ReuseportProgram.detachAny(current);
        attached = false;
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

    /** The guard's maps: the rules in force, reload in place, drop counters, top offenders. */
    public GuardMaps guard() {
        return guard;
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
        object.close();
    }
}

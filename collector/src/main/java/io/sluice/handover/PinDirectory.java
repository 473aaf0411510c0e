package io.sluice.handover;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.fcntl_h;
import io.sluice.libbpf.unistd_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A listener's directory under the pin root, holding {@value #SOCKET_MAP} (the socket map the live
 * program selects from) and {@value #OWNER} (who pinned it). Its name is the listener's name with
 * every character bpffs refuses replaced: bpffs reserves names containing '.' (EPERM), so
 * {@code 0.0.0.0:2055} becomes {@code 0_0_0_0:2055}.
 */
public final class PinDirectory {
    public static final String SOCKET_MAP = "socket_map";
    public static final String OWNER = "owner";

    private final Path path;

    private PinDirectory(Path path) {
        this.path = path;
    }

    public static PinDirectory of(Path pinRoot, String listener) {
        return new PinDirectory(pinRoot.resolve(nameFor(listener)));
    }

    /** The directory name of a listener: letters, digits, '-', '_' and ':' kept, the rest as '_'. */
    public static String nameFor(String listener) {
        if (listener.isEmpty()) {
            throw new IllegalArgumentException("a listener needs a name to pin under");
        }
        StringBuilder b = new StringBuilder(listener.length());
        for (int i = 0; i < listener.length(); i++) {
            char c = listener.charAt(i);
            boolean kept = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == ':';
            b.append(kept ? c : '_');
        }
        return b.toString();
    }

    public Path path() {
        return path;
    }

    public Path socketMap() {
        return path.resolve(SOCKET_MAP);
    }

    public Path owner() {
        return path.resolve(OWNER);
    }

    /**
     * Creates the directory if needed and takes an exclusive flock on it, so that a process taking
     * over and one releasing (or two starting at once) do not interleave their read-check-replace of
     * the pins. The releasing owner removes the directory when it leaves it empty; a waiter that then
     * gets the lock on the removed directory notices (its path no longer leads to the locked inode)
     * and starts over on a fresh one.
     *
     * @throws HandoverException not on a bpffs-capable path, or still locked after {@code timeout}
     */
    public Lock lock(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Lock lock = lockOnce(deadline, timeout);
            if (lock.stillAt(path)) {
                return lock;
            }
            lock.close(); // removed under us: lock the new one
        }
    }

    private Lock lockOnce(long deadline, Duration timeout) {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            throw new HandoverException("cannot create the pin directory " + path + ": " + e, e);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            int fd = fcntl_h.open(errno, arena.allocateFrom(path.toString()),
                    fcntl_h.O_RDONLY() | fcntl_h.O_DIRECTORY() | fcntl_h.O_CLOEXEC(), 0);
            if (fd < 0) {
                throw new HandoverException("cannot open the pin directory " + path + ": " + Errno.describe(Errno.read(errno)));
            }
            while (true) {
                if (fcntl_h.flock(errno, fd, fcntl_h.LOCK_EX() | fcntl_h.LOCK_NB()) == 0) {
                    return new Lock(fd);
                }
                int e = Errno.read(errno);
                if (e != 11 && e != 4) { // EWOULDBLOCK, EINTR: retry
                    unistd_h.close(errno, fd);
                    throw new HandoverException("cannot lock the pin directory " + path + ": " + Errno.describe(e));
                }
                if (System.nanoTime() - deadline > 0) {
                    unistd_h.close(errno, fd);
                    throw new HandoverException("the pin directory " + path + " stayed locked for " + timeout
                            + " (another sluice taking over or stopping on the same listener?)");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    unistd_h.close(errno, fd);
                    Thread.currentThread().interrupt();
                    throw new HandoverException("interrupted while waiting for the lock on " + path);
                }
            }
        }
    }

    /** Removes the directory if it is empty (its owner left nothing in it); call with the lock held. */
    void removeIfEmpty() {
        try {
            Files.deleteIfExists(path);
        } catch (java.nio.file.DirectoryNotEmptyException e) {
            // a pin left by someone else (another tool): keep it
        } catch (IOException e) {
            // best effort: an empty directory is harmless
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }

    /** The held flock; closing the fd releases it. */
    public static final class Lock implements AutoCloseable {
        private final int fd;
        private boolean closed;

        private Lock(int fd) {
            this.fd = fd;
        }

        /** Whether {@code path} still names the directory this lock holds (it was not removed meanwhile). */
        boolean stillAt(Path path) {
            try {
                Object locked = Files.getAttribute(Path.of("/proc/self/fd/" + fd), "unix:ino");
                return locked.equals(Files.getAttribute(path, "unix:ino"));
            } catch (IOException | UnsupportedOperationException e) {
                return false;
            }
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try (Arena arena = Arena.ofConfined()) {
                unistd_h.close(Errno.allocate(arena), fd);
            }
        }
    }
}

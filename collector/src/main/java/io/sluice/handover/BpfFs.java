package io.sluice.handover;

import io.sluice.libbpf.Errno;
import io.sluice.libbpf.mount_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The BPF filesystem that pins live on. Many systems (and every CI machine of this project) leave
 * /sys/fs/bpf as a plain sysfs directory; pinning there fails. A sluice that is configured to pin
 * mounts bpffs itself (it runs with CAP_SYS_ADMIN for that; see contrib/systemd) and says so in the
 * log. The mount is left in place on exit: the next sluice and bpftool need it, and it is the
 * system's standard mount point (systemd mounts the same thing at boot where it does).
 */
public final class BpfFs {
    private static final Logger LOG = LoggerFactory.getLogger(BpfFs.class);
    /** The standard bpffs mount point. */
    public static final Path STANDARD_MOUNT = Path.of("/sys/fs/bpf");
    /** statfs(2) type name Java reports for bpffs (the fstype column of /proc/mounts). */
    private static final String TYPE = "bpf";

    private BpfFs() {}

    /** Whether {@code path} (or, when it does not exist yet, its nearest existing ancestor) is on a bpffs. */
    public static boolean isBpfFs(Path path) throws IOException {
        Path p = path.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p != null && TYPE.equals(Files.getFileStore(p).type());
    }

    /**
     * Makes sure {@code pinRoot} is on a bpffs, mounting one if not: at /sys/fs/bpf when the root is
     * under it (the usual case), else at the root itself.
     *
     * @return the mount point that was mounted, or null if one was already there
     * @throws HandoverException the mount was refused (no CAP_SYS_ADMIN, or a read-only /sys in a container)
     */
    public static Path ensureMounted(Path pinRoot) {
        try {
            if (isBpfFs(pinRoot)) {
                return null;
            }
            Path mountPoint = pinRoot.toAbsolutePath().startsWith(STANDARD_MOUNT) ? STANDARD_MOUNT : pinRoot.toAbsolutePath();
            Files.createDirectories(mountPoint);
            String was = Files.getFileStore(mountPoint).type();
            mount(mountPoint);
            LOG.info("mounted bpffs at {} (it was {}): the handover pins live there; it stays mounted for the next "
                    + "sluice and for bpftool", mountPoint, was);
            return mountPoint;
        } catch (IOException e) {
            throw new HandoverException("cannot check or prepare bpffs for " + pinRoot + ": " + e, e);
        }
    }

    /** mount -t bpf -o mode=0700 bpf {@code mountPoint}: pins are readable by the owner only, like systemd's. */
    static void mount(Path mountPoint) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            int rc = mount_h.mount(errno, arena.allocateFrom("bpf"), arena.allocateFrom(mountPoint.toString()),
                    arena.allocateFrom("bpf"), 0L, arena.allocateFrom("mode=0700"));
            if (rc != 0) {
                int e = Errno.read(errno);
                throw new HandoverException("cannot mount bpffs at " + mountPoint + ": " + Errno.describe(e)
                        + (e == 1 ? " (mounting needs CAP_SYS_ADMIN; or mount it beforehand: mount -t bpf bpf " + mountPoint + ")" : ""));
            }
        }
    }

    /** Unmounts (lazily) a bpffs: for tests that mounted a private one. Pins under it are gone. */
    public static void unmount(Path mountPoint) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Errno.allocate(arena);
            if (mount_h.umount2(errno, arena.allocateFrom(mountPoint.toString()), mount_h.MNT_DETACH()) != 0) {
                throw new HandoverException("cannot unmount " + mountPoint + ": " + Errno.describe(Errno.read(errno)));
            }
        }
    }
}

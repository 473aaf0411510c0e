package io.sluice.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * {@code <sys/mount.h>}: mounting the BPF filesystem where pins live when the system has not (many
 * distributions and containers leave /sys/fs/bpf unmounted), without depending on mount(8).
 */
public final class mount_h {
    private mount_h() {}

    /** umount2 flag: detach now, finish when the last user goes. */
    public static int MNT_DETACH() { return 2; }

    private static final class mount {
        static final MethodHandle HANDLE = RuntimeHelper.libc("mount",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS),
                RuntimeHelper.CAPTURE_ERRNO);
    }

    /**
     * {@code int mount(const char *source, const char *target, const char *filesystemtype, unsigned long mountflags,
     * const void *data)}: 0, or -1 + errno (EPERM without CAP_SYS_ADMIN).
     */
    public static int mount(MemorySegment errno, MemorySegment source, MemorySegment target, MemorySegment type,
            long flags, MemorySegment data) {
        try {
            return (int) mount.HANDLE.invokeExact(errno, source, target, type, flags, data);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class umount2 {
        static final MethodHandle HANDLE = RuntimeHelper.libc("umount2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code int umount2(const char *target, int flags)}: 0, or -1 + errno. */
    public static int umount2(MemorySegment errno, MemorySegment target, int flags) {
        try {
            return (int) umount2.HANDLE.invokeExact(errno, target, flags);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }
}

package io.sluice.libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Map;

/**
 * errno as the bindings capture it. Every binding that reports failure through errno takes a capture
 * segment as its first argument (jextract has no such thing; this is the one addition to its shape).
 * A thread either owns one ({@link #allocate}, what the receive loop does) or uses {@link #perThread()}
 * and reads it right after the call with {@link #last()}.
 */
public final class Errno {
    /** The layout the linker fills: one int named "errno" on Linux. */
    public static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ThreadLocal<MemorySegment> PER_THREAD =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));
    private static final MethodHandle STRERROR = RuntimeHelper.libc("strerror",
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"), Map.entry(2, "ENOENT"), Map.entry(4, "EINTR"), Map.entry(7, "E2BIG"),
            Map.entry(9, "EBADF"), Map.entry(11, "EAGAIN"), Map.entry(12, "ENOMEM"), Map.entry(13, "EACCES"),
            Map.entry(16, "EBUSY"), Map.entry(17, "EEXIST"), Map.entry(22, "EINVAL"), Map.entry(28, "ENOSPC"),
            Map.entry(38, "ENOSYS"), Map.entry(71, "EPROTO"), Map.entry(92, "ENOPROTOOPT"),
            Map.entry(95, "EOPNOTSUPP"), Map.entry(524, "ENOTSUPP"), Map.entry(4003, "LIBBPF_ERRNO__FORMAT"));

    private Errno() {}

    /** A capture segment owned by the caller (one per thread that makes calls). */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    /** This thread's capture segment, for calls off the hot path. */
    public static MemorySegment perThread() {
        return PER_THREAD.get();
    }

    /** errno as captured into {@code capture} by the last call given it. */
    public static int read(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    /** errno of this thread's last call made with {@link #perThread()}. */
    public static int last() {
        return read(perThread());
    }

    /** "EPERM (Operation not permitted)"-style text for logs and exception messages. */
    public static String describe(int errno) {
        int e = Math.abs(errno);
        String name = NAMES.getOrDefault(e, "errno " + e);
        return name + " (" + strerror(e) + ")";
    }

    /** The C library's message for an errno value. */
    public static String strerror(int errno) {
        if (errno >= 4000 && errno < 4100) {
            return "libbpf error " + errno; // LIBBPF_ERRNO__*: libbpf's own codes, unknown to libc
        }
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }
}

package io.sluice.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Routes libbpf's messages (verifier logs, "failed to load program" reasons...) to a Java sink instead
 * of stderr. libbpf calls {@code int print(enum libbpf_print_level, const char *fmt, va_list)}; the
 * upcall formats with the C library's {@code vsnprintf} (a downcall taking the va_list as the pointer
 * it is on x86_64 and aarch64) and hands the line to the sink.
 */
public final class LibbpfLog {

    public enum Level { WARN, INFO, DEBUG }

    /** Receives one message (trailing newline removed). Called on the thread that called libbpf. */
    @FunctionalInterface
    public interface Sink {
        void log(Level level, String message);

        /** Lets a sink skip the formatting cost of levels it drops (libbpf's DEBUG is verbose). */
        default boolean enabled(Level level) {
            return true;
        }
    }

    /** libbpf truncates its own lines well below this; longer messages are cut, not lost entirely. */
    private static final int LINE_BYTES = 4096;
    private static final MethodHandle VSNPRINTF = RuntimeHelper.libc("vsnprintf",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    private static final ThreadLocal<MemorySegment> LINE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(LINE_BYTES));

    private static volatile Sink sink;
    private static MemorySegment stub; // kept for the life of the process: libbpf holds the pointer

    private LibbpfLog() {}

    /** Installs {@code newSink} as libbpf's print function (replacing any previous sink). */
    public static synchronized void install(Sink newSink) {
        sink = newSink;
        if (stub == null) {
            try {
                MethodHandle target = MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                        MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
                stub = RuntimeHelper.LINKER.upcallStub(target,
                        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Arena.global());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            libbpf_h.libbpf_set_print(stub);
        }
    }

    /** The upcall: must never throw (an exception escaping an upcall ends the JVM). */
    private static int print(int level, MemorySegment format, MemorySegment args) {
        try {
            Sink current = sink;
            Level lvl = level <= 0 ? Level.WARN : level == 1 ? Level.INFO : Level.DEBUG;
            if (current == null || !current.enabled(lvl)) {
                return 0;
            }
            MemorySegment line = LINE.get();
            int n = (int) VSNPRINTF.invokeExact(line, (long) LINE_BYTES, format, args);
            if (n < 0) {
                return 0;
            }
            String text = line.getString(0);
            int end = text.length();
            while (end > 0 && (text.charAt(end - 1) == '\n' || text.charAt(end - 1) == '\r')) {
                end--;
            }
            current.log(lvl, text.substring(0, end));
            return n;
        } catch (Throwable t) {
            return 0;
        }
    }
}

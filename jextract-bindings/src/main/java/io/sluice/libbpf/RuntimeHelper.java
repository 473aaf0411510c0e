package io.sluice.libbpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** What jextract's generated RuntimeHelper holds: the linker, the lookups, and handle creation. */
final class RuntimeHelper {
    static final Linker LINKER = Linker.nativeLinker();
    /** The C library (setsockopt, recvmmsg, poll, strerror, vsnprintf). */
    static final SymbolLookup LIBC = LINKER.defaultLookup();
    /** Added to every call that reports failure through errno: the handle takes a leading capture segment. */
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    /** libbpf's soname: plain "libbpf.so" exists only where libbpf-dev is installed. */
    static final String LIBBPF_SONAME = "libbpf.so.1";

    private RuntimeHelper() {}

    static MethodHandle libc(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(find(LIBC, name, "libc"), descriptor, options);
    }

    static MethodHandle libbpf(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(find(Libbpf.LOOKUP, name, LIBBPF_SONAME), descriptor, options);
    }

    private static MemorySegment find(SymbolLookup lookup, String name, String library) {
        return lookup.find(name).orElseThrow(
                () -> new UnsatisfiedLinkError("symbol " + name + " not found in " + library));
    }

    /** libbpf, looked up once, on first use of a libbpf function (sockets work without it). */
    static final class Libbpf {
        static final SymbolLookup LOOKUP;

        static {
            try {
                LOOKUP = SymbolLookup.libraryLookup(LIBBPF_SONAME, Arena.global());
            } catch (IllegalArgumentException e) {
                throw new UnsatisfiedLinkError(LIBBPF_SONAME + " cannot be loaded (install libbpf1, e.g. apt-get install libbpf1): "
                        + e.getMessage());
            }
        }

        private Libbpf() {}
    }

    static AssertionError unreachable(Throwable t) {
        return new AssertionError("should not reach here", t);
    }
}

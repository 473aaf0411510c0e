package io.sluice.libbpf;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The functions of {@code <bpf/libbpf.h>} and {@code <bpf/bpf.h>} that sluice calls, in jextract's
 * shape: a handle per function, created on first use, behind a static method of the C name.
 *
 * <p>Error conventions (libbpf 1.x): pointer-returning functions return NULL and set errno (their
 * binding takes an errno capture segment first, see {@link Errno}); int-returning ones return
 * {@code -errno} directly. libbpf itself is looked up as {@code libbpf.so.1} on first use; if it is
 * missing every function here throws {@link UnsatisfiedLinkError} saying so.
 */
public final class libbpf_h {
    private libbpf_h() {}

    // enum libbpf_print_level
    public static int LIBBPF_WARN() { return 0; }
    public static int LIBBPF_INFO() { return 1; }
    public static int LIBBPF_DEBUG() { return 2; }

    // map_flags of bpf_map_update_elem
    public static long BPF_ANY() { return 0; }
    public static long BPF_NOEXIST() { return 1; }
    public static long BPF_EXIST() { return 2; }

    private static final class bpf_object__open_file {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_object__open_file",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code struct bpf_object *bpf_object__open_file(const char *path, const struct bpf_object_open_opts *opts)}: NULL + errno. */
    public static MemorySegment bpf_object__open_file(MemorySegment errno, MemorySegment path, MemorySegment opts) {
        try {
            return (MemorySegment) bpf_object__open_file.HANDLE.invokeExact(errno, path, opts);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_object__open_mem {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_object__open_mem",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, ADDRESS), RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code struct bpf_object *bpf_object__open_mem(const void *obj_buf, size_t obj_buf_sz, const struct bpf_object_open_opts *opts)}: NULL + errno. */
    public static MemorySegment bpf_object__open_mem(MemorySegment errno, MemorySegment buffer, long size, MemorySegment opts) {
        try {
            return (MemorySegment) bpf_object__open_mem.HANDLE.invokeExact(errno, buffer, size, opts);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_object__load {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_object__load",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /** {@code int bpf_object__load(struct bpf_object *obj)}: 0 or -errno. */
    public static int bpf_object__load(MemorySegment obj) {
        try {
            return (int) bpf_object__load.HANDLE.invokeExact(obj);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_object__close {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_object__close",
                FunctionDescriptor.ofVoid(ADDRESS));
    }

    /** {@code void bpf_object__close(struct bpf_object *obj)}: closes the program and map fds it owns. */
    public static void bpf_object__close(MemorySegment obj) {
        try {
            bpf_object__close.HANDLE.invokeExact(obj);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_object__find_map_by_name {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_object__find_map_by_name",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code struct bpf_map *bpf_object__find_map_by_name(const struct bpf_object *obj, const char *name)}: NULL + errno. */
    public static MemorySegment bpf_object__find_map_by_name(MemorySegment errno, MemorySegment obj, MemorySegment name) {
        try {
            return (MemorySegment) bpf_object__find_map_by_name.HANDLE.invokeExact(errno, obj, name);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_object__find_program_by_name {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_object__find_program_by_name",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS), RuntimeHelper.CAPTURE_ERRNO);
    }

    /** {@code struct bpf_program *bpf_object__find_program_by_name(const struct bpf_object *obj, const char *name)}: NULL + errno. */
    public static MemorySegment bpf_object__find_program_by_name(MemorySegment errno, MemorySegment obj, MemorySegment name) {
        try {
            return (MemorySegment) bpf_object__find_program_by_name.HANDLE.invokeExact(errno, obj, name);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_program__set_autoload {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_program__set_autoload",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_BOOLEAN));
    }

    /** {@code int bpf_program__set_autoload(struct bpf_program *prog, bool autoload)}: before load; 0 or -errno. */
    public static int bpf_program__set_autoload(MemorySegment prog, boolean autoload) {
        try {
            return (int) bpf_program__set_autoload.HANDLE.invokeExact(prog, autoload);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_program__fd {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_program__fd",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /** {@code int bpf_program__fd(const struct bpf_program *prog)}: the fd after load, or -errno. */
    public static int bpf_program__fd(MemorySegment prog) {
        try {
            return (int) bpf_program__fd.HANDLE.invokeExact(prog);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_map__fd {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_map__fd",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /** {@code int bpf_map__fd(const struct bpf_map *map)}: the fd after load, -1 before. */
    public static int bpf_map__fd(MemorySegment map) {
        try {
            return (int) bpf_map__fd.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_map__value_size {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_map__value_size",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /** {@code __u32 bpf_map__value_size(const struct bpf_map *map)}. */
    public static int bpf_map__value_size(MemorySegment map) {
        try {
            return (int) bpf_map__value_size.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_map__max_entries {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_map__max_entries",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /** {@code __u32 bpf_map__max_entries(const struct bpf_map *map)}. */
    public static int bpf_map__max_entries(MemorySegment map) {
        try {
            return (int) bpf_map__max_entries.HANDLE.invokeExact(map);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_map__set_initial_value {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_map__set_initial_value",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    }

    /** {@code int bpf_map__set_initial_value(struct bpf_map *map, const void *data, size_t size)}: before load, size == value size; 0 or -errno. */
    public static int bpf_map__set_initial_value(MemorySegment map, MemorySegment data, long size) {
        try {
            return (int) bpf_map__set_initial_value.HANDLE.invokeExact(map, data, size);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_map__pin {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_map__pin",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /** {@code int bpf_map__pin(struct bpf_map *map, const char *path)}: 0 or -errno. */
    public static int bpf_map__pin(MemorySegment map, MemorySegment path) {
        try {
            return (int) bpf_map__pin.HANDLE.invokeExact(map, path);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_map__unpin {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_map__unpin",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /** {@code int bpf_map__unpin(struct bpf_map *map, const char *path)}: 0 or -errno. */
    public static int bpf_map__unpin(MemorySegment map, MemorySegment path) {
        try {
            return (int) bpf_map__unpin.HANDLE.invokeExact(map, path);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class libbpf_set_print {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("libbpf_set_print",
                FunctionDescriptor.of(ADDRESS, ADDRESS));
    }

    /** {@code libbpf_print_fn_t libbpf_set_print(libbpf_print_fn_t fn)}: returns the previous function. */
    public static MemorySegment libbpf_set_print(MemorySegment fn) {
        try {
            return (MemorySegment) libbpf_set_print.HANDLE.invokeExact(fn);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    // ---- <bpf/bpf.h>: the low-level syscall wrappers; int results are -errno (errno also set) ----

    private static final class bpf_map_update_elem {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_map_update_elem",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    }

    /** {@code int bpf_map_update_elem(int fd, const void *key, const void *value, __u64 flags)}: 0 or -errno. */
    public static int bpf_map_update_elem(int fd, MemorySegment key, MemorySegment value, long flags) {
        try {
            return (int) bpf_map_update_elem.HANDLE.invokeExact(fd, key, value, flags);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_map_lookup_elem {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_map_lookup_elem",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /** {@code int bpf_map_lookup_elem(int fd, const void *key, void *value)}: 0 or -errno (a sockarray gives the socket cookie). */
    public static int bpf_map_lookup_elem(int fd, MemorySegment key, MemorySegment value) {
        try {
            return (int) bpf_map_lookup_elem.HANDLE.invokeExact(fd, key, value);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_map_delete_elem {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_map_delete_elem",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    /** {@code int bpf_map_delete_elem(int fd, const void *key)}: 0 or -errno. */
    public static int bpf_map_delete_elem(int fd, MemorySegment key) {
        try {
            return (int) bpf_map_delete_elem.HANDLE.invokeExact(fd, key);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_obj_pin {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_obj_pin",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    /** {@code int bpf_obj_pin(int fd, const char *pathname)}: pins a map/program fd in bpffs; 0 or -errno. */
    public static int bpf_obj_pin(int fd, MemorySegment path) {
        try {
            return (int) bpf_obj_pin.HANDLE.invokeExact(fd, path);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_obj_get {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_obj_get",
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /** {@code int bpf_obj_get(const char *pathname)}: an fd of a pinned object, or -errno. */
    public static int bpf_obj_get(MemorySegment path) {
        try {
            return (int) bpf_obj_get.HANDLE.invokeExact(path);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }

    private static final class bpf_map_get_next_key {
        static final MethodHandle HANDLE = RuntimeHelper.libbpf("bpf_map_get_next_key",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /**
     * {@code int bpf_map_get_next_key(int fd, const void *key, void *next_key)}: the key after {@code key}
     * (the first with NULL); 0, -ENOENT after the last, or -errno.
     */
    public static int bpf_map_get_next_key(int fd, MemorySegment key, MemorySegment nextKey) {
        try {
            return (int) bpf_map_get_next_key.HANDLE.invokeExact(fd, key, nextKey);
        } catch (Throwable t) {
            throw RuntimeHelper.unreachable(t);
        }
    }
}

package io.sluice.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.sluice.handover.BpfFs;
import io.sluice.handover.HandoverException;
import io.sluice.handover.HandoverSettings;
import io.sluice.handover.PinDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What {@link PinRoot} does: fills annotated {@code Path} fields before each test (before the class's
 * {@code @BeforeEach} methods), resolves annotated parameters, and after each test (even a failed or
 * aborted one) removes every pin root it handed out for it, unmounting the private ones. The roots of
 * one test are kept in the test method's store, so nothing outlives it.
 *
 * <p>The test method's own parameters are prepared in {@link #beforeEach} too, not when JUnit resolves
 * them: JUnit wraps whatever a resolver throws into an error, so a skip (BPF unavailable outside CI)
 * thrown there would fail the test instead of skipping it.
 */
public final class PinRootExtension implements BeforeEachCallback, ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PinRootExtension.class);
    private static final AtomicLong SEQUENCE = new AtomicLong();
    /** bpffs refuses names with '.', and a name is at most 255 bytes: the test's name is kept short. */
    private static final int NAME_CHARS = 120;

    @Override
    public void beforeEach(ExtensionContext c) throws Exception {
        Parameter[] parameters = c.getRequiredTestMethod().getParameters();
        for (int i = 0; i < parameters.length; i++) {
            PinRoot spec = parameters[i].getAnnotation(PinRoot.class);
            if (spec != null && parameters[i].getType() == Path.class) c.getStore(NAMESPACE).put(i, create(c, spec));
        }
        for (Object instance : c.getRequiredTestInstances().getAllInstances()) {
            for (Class<?> k = instance.getClass(); k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    PinRoot spec = f.getAnnotation(PinRoot.class);
                    if (spec == null) continue;
                    if (f.getType() != Path.class || Modifier.isStatic(f.getModifiers())) {
                        throw new IllegalStateException("@PinRoot goes on a Path instance field (a pin root lives for one test): " + f);
                    }
                    f.setAccessible(true);
                    f.set(instance, create(c, spec));
                }
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.isAnnotated(PinRoot.class);
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        if (p.getParameter().getType() != Path.class || c.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException("@PinRoot goes on a Path parameter of a test or @BeforeEach method: " + p.getParameter());
        }
        if (p.getDeclaringExecutable().equals(c.getRequiredTestMethod())) {
            return c.getStore(NAMESPACE).get(p.getIndex(), Path.class); // prepared by beforeEach
        }
        return create(c, p.findAnnotation(PinRoot.class).orElseThrow());
    }

    @Override
    public void afterEach(ExtensionContext c) throws IOException {
        List<Root> roots = c.getStore(NAMESPACE).remove(Root.class, Roots.class) instanceof Roots r ? r.list : List.of();
        IOException first = null;
        for (Root root : roots.reversed()) {
            try {
                root.remove();
            } catch (IOException | RuntimeException e) {
                IOException io = e instanceof IOException x ? x : new IOException("cannot remove pin root " + root.path + ": " + e, e);
                if (first == null) first = io;
                else first.addSuppressed(io);
            }
        }
        if (first != null) throw first;
    }

    private static Path create(ExtensionContext c, PinRoot spec) {
        BpfRequirement.assumeBpf();
        String name = "sluice-test-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet() + "-"
                + PinDirectory.nameFor(c.getRequiredTestClass().getSimpleName() + "-" + c.getRequiredTestMethod().getName());
        if (name.length() > NAME_CHARS) name = name.substring(0, NAME_CHARS);
        Root root = spec.owner() == PinRoot.SHARED_MOUNT ? shared(name) : owned(name, spec.owner());
        // registered before anything can fail below, so that what exists is removed
        c.getStore(NAMESPACE).getOrComputeIfAbsent(Root.class, k -> new Roots(), Roots.class).list.add(root);
        return root.path;
    }

    /** Under /sys/fs/bpf, mounted there when missing: what sluice does for its default pin root. */
    private static Root shared(String name) {
        try {
            BpfFs.ensureMounted(HandoverSettings.DEFAULT_PIN_ROOT);
        } catch (HandoverException e) {
            cannot("cannot mount bpffs where sluice would: " + e.getMessage());
        }
        return new Root(BpfFs.STANDARD_MOUNT.resolve(name), null);
    }

    /** A private bpffs on a fresh temporary directory, its root and the pin root owned by {@code uid}. */
    private static Root owned(String name, int uid) {
        Path mountPoint;
        try {
            mountPoint = Files.createTempDirectory("sluice-bpffs-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            BpfFs.ensureMounted(mountPoint); // a root outside /sys/fs/bpf: sluice mounts at the root itself
        } catch (HandoverException e) {
            try {
                Files.deleteIfExists(mountPoint);
            } catch (IOException ignored) {
                // a leftover empty temporary directory
            }
            cannot("cannot mount a private bpffs: " + e.getMessage());
        }
        Root root = new Root(mountPoint.resolve(name), mountPoint);
        try {
            Files.createDirectories(root.path);
            for (Path p : List.of(mountPoint, root.path)) {
                Files.setAttribute(p, "unix:uid", uid);
                Files.setAttribute(p, "unix:gid", uid);
            }
            mountPoint.toFile().setExecutable(true, false); // others traverse the mount to reach the pin root
        } catch (IOException | RuntimeException e) {
            try {
                root.remove();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException("cannot prepare the pin root " + root.path + " for uid " + uid + ": " + e, e);
        }
        return root;
    }

    /** BpfRequirement's rule for a bpffs that cannot be had: fail in CI, skip elsewhere. */
    private static void cannot(String why) {
        if (BpfRequirement.required()) fail(why + " (BPF is required: CI or SLUICE_REQUIRE_BPF is set)");
        Assumptions.abort(why + " (set SLUICE_REQUIRE_BPF=1 to fail instead of skipping)");
    }

    /** A pin root handed out, and the private mount under it (null: the shared /sys/fs/bpf). */
    private record Root(Path path, Path privateMount) {
        void remove() throws IOException {
            deleteTree(path); // pins are files on bpffs: unlinking them drops the kernel's reference
            if (privateMount != null) {
                BpfFs.unmount(privateMount);
                Files.deleteIfExists(privateMount);
            }
        }
    }

    private static final class Roots {
        final List<Root> list = new ArrayList<>();
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}

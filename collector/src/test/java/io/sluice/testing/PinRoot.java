package io.sluice.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fresh pin root on a real bpffs for one test, the way {@code @TempDir} gives a temporary directory:
 * annotate a {@code Path} instance field, or a parameter of a test or {@code @BeforeEach} method.
 *
 * <pre>{@code
 * @PinRoot Path pinRoot;   // HandoverSettings.DEFAULTS.withPinRoot(pinRoot)
 * }</pre>
 *
 * <p>bpffs is mounted at /sys/fs/bpf when it is missing, as sluice mounts it for its default pin root
 * ({@link io.sluice.handover.BpfFs#ensureMounted}); the pin root is a directory name under it unique to
 * the test, not created (sluice creates its pin root itself, and that stays under test). After the test,
 * passed or failed, the pins and the directory are removed. When BPF cannot load here the test fails
 * in CI and is skipped elsewhere ({@link BpfRequirement}). See {@link PinRootExtension}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER})
@ExtendWith(PinRootExtension.class)
public @interface PinRoot {
    /** The standard mount: {@link #owner()} not set. */
    int SHARED_MOUNT = -1;
    /** The uid of nobody, as a sluice started with {@code setpriv --reuid=65534} runs. */
    int NOBODY = 65534;

    /**
     * With a uid: a private bpffs of the test's own, mounted on a temporary directory, whose root (made
     * traversable) and pin root (created) belong to that user and group, as the systemd unit's privileged
     * ExecStartPre prepares /sys/fs/bpf/sluice for a sluice that runs unprivileged. Unmounted afterwards.
     */
    int owner() default SHARED_MOUNT;
}

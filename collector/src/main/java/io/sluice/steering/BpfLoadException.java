package io.sluice.steering;

/**
 * The kernel (or the machine) refused the program: no privilege, old kernel, verifier rejection, no
 * libbpf. {@link Steering#attachOrFallback} turns this into a fallback to the kernel's hash.
 */
public final class BpfLoadException extends BpfException {
    private final int errno;

    public BpfLoadException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public BpfLoadException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    /** The positive errno the kernel or libbpf reported, 0 if none. */
    public int errno() {
        return errno;
    }
}

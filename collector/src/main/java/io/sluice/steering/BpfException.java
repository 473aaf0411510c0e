package io.sluice.steering;

/** A BPF steering step failed. Subclasses say whether the object or the kernel is at fault. */
public class BpfException extends RuntimeException {
    public BpfException(String message) {
        super(message);
    }

    public BpfException(String message, Throwable cause) {
        super(message, cause);
    }
}

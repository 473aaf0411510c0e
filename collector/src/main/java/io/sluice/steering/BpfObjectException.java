package io.sluice.steering;

/**
 * The BPF object file is missing, unreadable, corrupt or lacks what sluice needs: a packaging or
 * configuration error, never a reason to fall back silently. The message names the file.
 */
public final class BpfObjectException extends BpfException {
    public BpfObjectException(String message) {
        super(message);
    }

    public BpfObjectException(String message, Throwable cause) {
        super(message, cause);
    }
}

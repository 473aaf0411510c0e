package io.sluice.handover;

/** A step of the handover failed: bpffs cannot be mounted, the pin directory cannot be locked. */
public final class HandoverException extends RuntimeException {
    public HandoverException(String message) {
        super(message);
    }

    public HandoverException(String message, Throwable cause) {
        super(message, cause);
    }
}

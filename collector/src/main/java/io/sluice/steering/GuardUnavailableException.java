package io.sluice.steering;

/**
 * A listener's guard cannot be put in force: its program could not load (and it has an allow-list, so
 * running unguarded would open a port meant to be closed), or a reload asks for a guard that needs a
 * program the listener does not run. The message says which and what to do.
 */
public final class GuardUnavailableException extends BpfException {
    public GuardUnavailableException(String message) {
        super(message);
    }

    public GuardUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}

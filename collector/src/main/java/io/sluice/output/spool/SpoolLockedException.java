package io.sluice.output.spool;

import java.io.IOException;

/** Another live process holds the spool directory's lock (its {@code spool.lock} says which). */
public final class SpoolLockedException extends IOException {
    public SpoolLockedException(String message) {
        super(message);
    }
}

package io.sluice.capture;

import java.io.IOException;
import java.nio.file.Path;

/** Input that is not a capture sluice reads (or a corrupt one), with the source and the byte offset in the message. */
public final class CaptureFormatException extends IOException {
    public CaptureFormatException(Path file, long offset, String problem) {
        this(file.toString(), offset, problem);
    }

    /** {@code source} names the input as the operator gave it: a path, or "-" for standard input. */
    public CaptureFormatException(String source, long offset, String problem) {
        super(source + ": " + problem + (offset >= 0 ? " at byte " + offset : ""));
    }
}

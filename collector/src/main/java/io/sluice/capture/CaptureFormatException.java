package io.sluice.capture;

import java.io.IOException;
import java.nio.file.Path;

/** A capture file that is not what its name says, with the file and the offset in the message. */
public final class CaptureFormatException extends IOException {
    public CaptureFormatException(Path file, long offset, String problem) {
        super(file + ": " + problem + " at byte " + offset);
    }
}

package io.sluice.capture;

import java.io.IOException;

/** A capture format's packet records, read one at a time into a reused frame. */
interface FrameSource {
    /** Fills {@code frame} with the next packet; false at the clean end of the input. */
    boolean next(CapturedFrame frame) throws IOException;
}

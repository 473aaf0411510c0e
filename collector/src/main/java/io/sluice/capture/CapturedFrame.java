package io.sluice.capture;

/**
 * One link-layer frame as a capture file holds it, in a buffer reused from frame to frame (a capture of any
 * size is read in the memory of its largest record).
 */
final class CapturedFrame {
    /** LINKTYPE_* of the interface it was captured on (tcpdump.org/linktypes.html). */
    int linkType;
    /** The captured bytes are data[0, length). */
    byte[] data = new byte[2048];
    int length;
    /** Capture time, ns since the epoch; 0 when the file does not say (pcapng simple packet block). */
    long timestampNanos;
    /** Offset of the record in the input, for messages. */
    long offset;

    byte[] ensureCapacity(int n) {
        if (data.length < n) data = new byte[Math.max(n, data.length * 2)];
        return data;
    }
}

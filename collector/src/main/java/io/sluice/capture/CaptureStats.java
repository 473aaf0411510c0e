package io.sluice.capture;

/**
 * What a capture reader saw besides the datagrams it returned: every frame is either delivered as (part
 * of) a UDP datagram or counted here under one reason, so the counts add up to the frames read.
 */
public final class CaptureStats {
    long frames;
    long datagrams;
    long notUdp;
    long otherPort;
    long truncated;
    long unsupportedLinkType;
    int lastUnsupportedLinkType = -1;
    long fragments;
    long reassembled;
    long fragmentsTimedOut;
    long fragmentsEvicted;
    long fragmentsInvalid;
    long fragmentsIncomplete;

    /** Link-layer frames (packet records) read. */
    public long frames() { return frames; }

    /** UDP datagrams delivered (a reassembled one counts once). */
    public long datagrams() { return datagrams; }

    /** Frames that are not IPv4/IPv6 UDP (ARP, TCP, ICMP, ...): skipped. */
    public long notUdp() { return notUdp; }

    /** UDP datagrams to a destination port not selected (--port): skipped. */
    public long otherPort() { return otherPort; }

    /** Frames cut shorter than their headers or their IP/UDP length say (small snap length, corruption). */
    public long truncated() { return truncated; }

    /** Frames of a link type sluice does not read. */
    public long unsupportedLinkType() { return unsupportedLinkType; }

    /** The latest unsupported link type seen, or -1. */
    public int lastUnsupportedLinkType() { return lastUnsupportedLinkType; }

    /** IP fragments read (each also counted in {@link #frames}). */
    public long fragments() { return fragments; }

    /** Datagrams put back together from fragments. */
    public long reassembled() { return reassembled; }

    /** Fragmented datagrams dropped because their last fragment did not come within the reassembly time. */
    public long fragmentsTimedOut() { return fragmentsTimedOut; }

    /** Fragmented datagrams dropped to keep the reassembly within its count and byte bounds (oldest first). */
    public long fragmentsEvicted() { return fragmentsEvicted; }

    /** Fragmented datagrams dropped for overlapping or impossible fragments (RFC 5722 for IPv6). */
    public long fragmentsInvalid() { return fragmentsInvalid; }

    /** Fragmented datagrams still incomplete (at the end of the input: never completed). */
    public long fragmentsIncomplete() { return fragmentsIncomplete; }
}

package io.sluice.decode;

/** Why (part of) a datagram could not be decoded; the label of {@code sluice_decode_errors_total{reason}}. */
public enum DecodeError {
    /** Shorter than its headers or its declared lengths say. */
    TRUNCATED("truncated"),
    /** Not a version this listener decodes (or not a flow protocol at all). */
    BAD_VERSION("bad_version"),
    /** A declared length that is impossible (set shorter than its header, record overrunning its set). */
    BAD_LENGTH("bad_length"),
    /** A data set whose template has not been seen and did not arrive within the pending window. */
    UNKNOWN_TEMPLATE("unknown_template"),
    /** A template that is malformed (zero fields, impossible field length, too many fields). */
    BAD_TEMPLATE("bad_template"),
    /** A value out of its range (bad address type, bad sample count). */
    MALFORMED("malformed");

    public final String label;

    DecodeError(String label) {
        this.label = label;
    }
}

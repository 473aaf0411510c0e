package io.sluice.output.spool;

import java.nio.file.Path;

/** One segment file's bookkeeping (counts in records; flows for the ledger). */
final class Segment {
    final long id;
    final Path path;
    long size;
    /** Where reading stops: the written end of the active segment, the last valid record's end of a sealed one. */
    long validEnd;
    int records;
    long flows;
    int acked;
    int read;
    long readFlows;
    boolean sealed;

    Segment(long id, Path path) {
        this.id = id;
        this.path = path;
    }
}

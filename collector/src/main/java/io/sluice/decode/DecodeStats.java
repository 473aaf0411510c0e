package io.sluice.decode;

/**
 * Counters a decoder bumps, one instance per worker thread (plain fields: single writer), read by the
 * metrics exporter at scrape time with relaxed visibility, as Aeron's counters are. Nothing here
 * allocates.
 */
public final class DecodeStats {
    private final long[] errors = new long[DecodeError.values().length];
    private final long[] flows = new long[Protocol.values().length];
    private final long[] datagrams = new long[Protocol.values().length];
    private long errorTotal;
    private DecodeError lastError;
    private final SkippedRecords skipped = new SkippedRecords();

    /** Well-formed parts not decoded (not errors): by kind and (enterprise, format). */
    public SkippedRecords skipped() {
        return skipped;
    }

    /** Counts one well-formed part sluice does not decode; see {@link SkippedRecords}. */
    public void skip(SkippedRecords.Kind kind, int dataFormat) {
        skipped.skip(kind, dataFormat);
    }

    public void error(DecodeError reason) {
        errors[reason.ordinal()]++;
        errorTotal++;
        lastError = reason;
    }

    /** Errors of every reason so far: a worker compares it around a decode to see that one failed. */
    public long errorTotal() {
        return errorTotal;
    }

    /** The reason of the latest error, or null if none. */
    public DecodeError lastError() {
        return lastError;
    }

    /**
     * Flows whose times were derived from the message's export time because the exporter never said
     * its boot time (IPFIX flowStart/EndSysUpTime without systemInitTimeMilliseconds; docs/decoding.md).
     */
    public void timesFromExportTime(int count) {
        timesFromExportTime += count;
    }

    public long timesFromExportTime() {
        return timesFromExportTime;
    }

    private long timesFromExportTime;

    public void flows(Protocol protocol, int count) {
        flows[protocol.ordinal()] += count;
    }

    public void datagram(Protocol protocol) {
        datagrams[protocol.ordinal()]++;
    }

    public long errors(DecodeError reason) {
        return errors[reason.ordinal()];
    }

    public long flows(Protocol protocol) {
        return flows[protocol.ordinal()];
    }

    public long datagrams(Protocol protocol) {
        return datagrams[protocol.ordinal()];
    }

    public long totalErrors() {
        long sum = 0;
        for (long e : errors) sum += e;
        return sum;
    }

    public long totalFlows() {
        long sum = 0;
        for (long f : flows) sum += f;
        return sum;
    }
}

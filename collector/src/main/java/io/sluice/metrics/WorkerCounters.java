package io.sluice.metrics;

import io.sluice.decode.DecodeStats;
import io.sluice.output.OutputStats;
import io.sluice.worker.ReceiveStats;
import java.util.function.LongSupplier;

/**
 * The counters of one worker, as the metrics read them at scrape time: the worker's own plain
 * counters (receive, decode) and its output's, plus its socket's kernel drop count.
 *
 * @param socketDrops the kernel's drop count of this worker's socket (e.g. /proc/net/udp by inode)
 */
public record WorkerCounters(
        String listener,
        int worker,
        ReceiveStats receive,
        LongSupplier socketDrops,
        DecodeStats decode,
        OutputStats output) {}

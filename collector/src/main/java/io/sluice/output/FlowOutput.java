package io.sluice.output;

import java.time.Duration;

/**
 * Where decoded flows go (Kafka, a file, nowhere). One instance per service, shared by all workers;
 * each worker talks to its own {@link WorkerOutput}.
 */
public interface FlowOutput extends AutoCloseable {
    /** The output of one worker, created before the workers start. */
    WorkerOutput forWorker(String listener, int worker);

    /** For /healthz: the output can deliver (Kafka: the producer has metadata and the last delivery succeeded). */
    boolean ready();

    /** The output's disk spool (metrics, /healthz), or null: only the Kafka outputs have one, when output.spool.directory is set. */
    default io.sluice.output.spool.KafkaSpool spool() {
        return null;
    }

    /** Waits (at most {@code timeout}) until everything handed over was delivered or failed. */
    void flush(Duration timeout);

    /** Flushes (at most {@code timeout}) and releases; what is still undelivered then is counted as dropped. */
    void close(Duration timeout);

    @Override
    default void close() {
        close(Duration.ofSeconds(30));
    }
}

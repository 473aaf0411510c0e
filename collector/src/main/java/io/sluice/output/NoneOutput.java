package io.sluice.output;

import io.sluice.flow.pb.CounterMessage;
import io.sluice.flow.pb.DropMessage;
import java.time.Duration;

/** Decode and count only: flows are counted as taken and discarded (for benchmarks and dry runs). */
public final class NoneOutput implements FlowOutput {
    @Override
    public WorkerOutput forWorker(String listener, int worker) {
        OutputStats stats = new OutputStats();
        return new WorkerOutput() {
            @Override
            public void send(FlowBatch batch) {
                stats.flowsSent(batch.size());
            }

            @Override
            public void counters(CounterMessage counters) {
                stats.counterSent();
            }

            @Override
            public void drop(DropMessage drop) {
                stats.dropNotificationSent();
            }

            @Override
            public OutputStats stats() {
                return stats;
            }
        };
    }

    @Override
    public boolean ready() {
        return true;
    }

    @Override
    public void flush(Duration timeout) {}

    @Override
    public void close(Duration timeout) {}
}

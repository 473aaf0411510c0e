package io.sluice.bench;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.decode.netflow.NetflowDecoders;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.testing.Captures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Decode cost of the NetFlow v5, NetFlow v9 and IPFIX decoders on the real datagrams of
 * ../shared/bench (softflowd and pmacctd exports), into a sink that only sums a field: ns per datagram
 * (divide by the flows per datagram printed at setup for ns per flow); run with the GC profiler (the
 * main method adds it) for bytes allocated per datagram.
 *
 * <p>Each state replays its capture's datagrams round-robin from direct buffers (as a worker receives
 * them) through one decoder whose store already holds the exporter's templates (a warm collector).
 * Run: {@code java -cp <test classpath> io.sluice.bench.NetflowDecodeBenchmark [JMH options]}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class NetflowDecodeBenchmark {

    /** One capture's datagrams and a warm decoder. */
    public abstract static class Replay implements FlowSink {
        private ByteBuffer[] payloads;
        private VersionDispatch decoder;
        private final Datagram datagram = new Datagram(ByteBuffer.allocate(0));
        private final DecodeStats stats = new DecodeStats();
        private int next;
        long checksum;

        void load(String file) throws IOException {
            List<CapturedDatagram> captured = CaptureReader.read(Captures.bench().resolve(file));
            payloads = new ByteBuffer[captured.size()];
            for (int i = 0; i < payloads.length; i++) {
                byte[] p = captured.get(i).payload();
                payloads[i] = ByteBuffer.allocateDirect(p.length).put(0, p);
            }
            datagram.setExporter(captured.getFirst().sourceAddress(), captured.getFirst().sourcePort());
            NetflowDecoders decoders = new NetflowDecoders(NetflowConfig.defaults());
            decoder = new VersionDispatch(null, decoders.newNetflowV5(), decoders.newNetflowV9(), decoders.newIpfix());
            for (int i = 0; i < payloads.length; i++) decodeNext(); // learn the templates
            long flows = stats.totalFlows();
            if (stats.totalErrors() != 0 || flows == 0) throw new IllegalStateException(file + ": " + flows + " flows, errors");
            System.out.printf("%n%s: %d datagrams, %.2f flows per datagram%n", file, payloads.length,
                    (double) flows / payloads.length);
        }

        final long decodeNext() {
            ByteBuffer b = payloads[next];
            if (++next == payloads.length) next = 0;
            datagram.buffer = b;
            datagram.length = b.capacity();
            datagram.timeReceivedNs++;
            decoder.decode(datagram, this, stats);
            return checksum;
        }

        @Override
        public final void flow(FlowRecord flow) {
            checksum += flow.bytes;
        }
    }

    @State(Scope.Thread)
    public static class NetflowV5 extends Replay {
        @Setup
        public void setup() throws IOException {
            load("softflowd-nfv5.pcap");
        }
    }

    @State(Scope.Thread)
    public static class NetflowV9 extends Replay {
        @Setup
        public void setup() throws IOException {
            load("softflowd-nfv9.pcap");
        }
    }

    @State(Scope.Thread)
    public static class Ipfix extends Replay {
        @Param({"pmacctd-ipfix.pcap", "softflowd-ipfix.pcap"})
        public String capture;

        @Setup
        public void setup() throws IOException {
            load(capture);
        }
    }

    @Benchmark
    public long netflowV5(NetflowV5 s) {
        return s.decodeNext();
    }

    @Benchmark
    public long netflowV9(NetflowV9 s) {
        return s.decodeNext();
    }

    @Benchmark
    public long ipfix(Ipfix s) {
        return s.decodeNext();
    }

    /** Runs these benchmarks with the GC profiler; JMH command-line options (e.g. -f 1 -wi 2 -i 3) apply. */
    public static void main(String[] args) throws RunnerException, org.openjdk.jmh.runner.options.CommandLineOptionException {
        new Runner(new OptionsBuilder()
                .parent(new CommandLineOptions(args))
                .include(NetflowDecodeBenchmark.class.getName() + ".*")
                .addProfiler(GCProfiler.class)
                .build()).run();
    }
}

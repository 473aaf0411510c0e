package io.sluice.bench;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.Protocol;
import io.sluice.decode.sflow.SflowDecoder;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.testing.Captures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * sFlow decoding speed on real exporters' datagrams (../shared/bench: pmacctd's sfprobe, ~6 flow
 * samples per datagram; hsflowd, mixed counters and flows), one decoder as one worker holds it, a
 * sink that only consumes each flow. Reports ns per datagram; flows per second = flows per datagram
 * (printed at setup) / that time. The datagrams sit in direct buffers, as the receive path delivers them.
 *
 * <p>Run: {@code java -cp <test classpath> org.openjdk.jmh.Main SflowDecodeBenchmark -f 1 -wi 2 -i 3}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SflowDecodeBenchmark {
    /** Datagrams decoded per benchmark invocation (cycling through the capture). */
    static final int BATCH = 1000;

    @Param({"pmacctd-sflow.pcap", "hsflowd-sflow.pcap"})
    public String capture;

    private Datagram[] datagrams;
    private int next;
    private final SflowDecoder decoder = new SflowDecoder();
    private final DecodeStats stats = new DecodeStats();
    private Blackhole blackhole;
    private final FlowSink sink = new FlowSink() {
        @Override
        public void flow(FlowRecord flow) {
            blackhole.consume(flow.bytes);
            blackhole.consume(flow.srcAddr.bytes[0]);
        }
    };

    @Setup(Level.Trial)
    public void load(Blackhole bh) throws IOException {
        blackhole = bh;
        List<Datagram> loaded = new ArrayList<>();
        for (CapturedDatagram c : CaptureReader.read(Captures.bench().resolve(capture))) {
            byte[] p = c.payload();
            if (p.length < 4 || ByteBuffer.wrap(p).getInt(0) != 5) continue; // sFlow v5 only
            Datagram d = new Datagram(p.length);
            d.buffer.put(0, p);
            d.length = p.length;
            d.setExporter(c.sourceAddress(), c.sourcePort());
            d.timeReceivedNs = c.timestampNanos();
            loaded.add(d);
        }
        datagrams = loaded.toArray(new Datagram[0]);
        DecodeStats once = new DecodeStats();
        SflowDecoder counting = new SflowDecoder();
        for (Datagram d : datagrams) counting.decode(d, flow -> { }, once);
        System.out.printf("%n%s: %d datagrams, %d flows (%.2f flows/datagram), %d decode errors%n", capture,
                datagrams.length, once.flows(Protocol.SFLOW5),
                (double) once.flows(Protocol.SFLOW5) / datagrams.length, once.totalErrors());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decode() {
        Datagram[] all = datagrams;
        int i = next;
        for (int n = 0; n < BATCH; n++) {
            decoder.decode(all[i], sink, stats);
            if (++i == all.length) i = 0;
        }
        next = i;
    }
}

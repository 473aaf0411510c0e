package io.sluice.decode.sflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.Protocol;
import io.sluice.decode.packet.Decapsulation;
import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.pb.CounterMessage;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * Mutated real sFlow datagrams (every datagram of every sFlow capture in ../shared/captures): random
 * bit flips, truncation, and the count and length words (sample count, sample lengths, record counts,
 * record lengths, header lengths) set to 0, tiny, huge or random values. The decoder must never throw,
 * never hit its internal guard, always finish (a loop-free bound, checked with a generous timeout
 * that only an endless loop can exceed), and account every flow it emits.
 */
class SflowFuzzTest {
    /** Loaded on first use, inside a test, so missing captures skip (or fail in CI) instead of breaking class init. */
    private static List<byte[]> corpus;
    /** One reused thread runs each decode, so the test can give up on an endless one. */
    private static final ExecutorService WATCHED = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sflow-fuzz");
        t.setDaemon(true);
        return t;
    });

    private static synchronized List<byte[]> corpus() {
        if (corpus != null) return corpus;
        List<byte[]> out = new ArrayList<>();
        for (String capture : SflowCaptures.ALL) {
            Path file = SflowCaptures.dataFile(capture);
            if (!Files.exists(file)) continue;
            for (CapturedDatagram d : SflowCaptures.read(file)) {
                ByteBuffer b = ByteBuffer.wrap(d.payload());
                if (d.payload().length >= 28 && b.getInt(0) == 5) out.add(d.payload());
            }
        }
        corpus = out;
        return out;
    }

    /** One change to a datagram; positions are fractions (0..65535) of what they apply to. */
    sealed interface Mutation {
        byte[] apply(byte[] in);
    }

    record FlipBit(int where, int bit) implements Mutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            if (out.length > 0) out[(int) ((long) where * out.length / 65536)] ^= (byte) (1 << bit);
            return out;
        }
    }

    record Truncate(int where) implements Mutation {
        public byte[] apply(byte[] in) {
            return Arrays.copyOf(in, (int) ((long) where * in.length / 65536));
        }
    }

    /** Sets one of the datagram's count/length words (found by walking the original layout). */
    record SetLengthWord(int which, int value) implements Mutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            List<Integer> offsets;
            try {
                offsets = SflowLayout.of(out).countAndLengthOffsets();
            } catch (RuntimeException e) {
                return out; // an earlier mutation broke the layout walk: leave this one out
            }
            int offset = offsets.get((int) ((long) which * offsets.size() / 65536));
            if (offset + 4 <= out.length) ByteBuffer.wrap(out).putInt(offset, value);
            return out;
        }
    }

    record SetWord(int where, int value) implements Mutation {
        public byte[] apply(byte[] in) {
            byte[] out = in.clone();
            int offset = (int) ((long) where * (out.length / 4) / 65536) * 4;
            if (offset + 4 <= out.length) ByteBuffer.wrap(out).putInt(offset, value);
            return out;
        }
    }

    @Provide
    Arbitrary<byte[]> datagrams() {
        return Arbitraries.of(corpus());
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Integer> where = Arbitraries.integers().between(0, 65535);
        Arbitrary<Integer> value = Arbitraries.oneOf(
                Arbitraries.of(0, 1, 2, 3, 4, 8, 16, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 0x10000, 65535),
                Arbitraries.integers());
        return Arbitraries.oneOf(
                Combinators.combine(where, Arbitraries.integers().between(0, 7)).as(FlipBit::new),
                where.map(Truncate::new),
                Combinators.combine(where, value).as(SetLengthWord::new),
                Combinators.combine(where, value).as(SetWord::new));
    }

    @Property(tries = 1500)
    void mutatedDatagramsNeverThrowNorLoop(@ForAll("datagrams") byte[] original,
            @ForAll @Size(min = 1, max = 6) List<@net.jqwik.api.From("mutations") Mutation> mutations) {
        byte[] bytes = original;
        for (Mutation m : mutations) bytes = m.apply(bytes);
        byte[] input = bytes;
        for (Decapsulation decap : new Decapsulation[] {Decapsulation.NONE, Decapsulation.VXLAN, Decapsulation.GRE}) {
            SflowDecoder decoder = new SflowDecoder(decap);
            DecodeStats stats = new DecodeStats();
            int[] flows = {0};
            FlowSink sink = new FlowSink() {
                @Override
                public void flow(FlowRecord flow) {
                    flows[0]++;
                    FlowJson.toJson(flow); // whatever was decoded must also serialise
                    assertEquals(1, flow.type);
                }

                @Override
                public void counters(CounterMessage m) {
                    m.toByteArray();
                }
            };
            // Generous: an sFlow datagram decodes in microseconds; only an endless loop reaches this.
            Future<?> run = WATCHED.submit(() -> {
                Datagram d = new Datagram(ByteBuffer.wrap(input));
                d.length = input.length;
                decoder.decode(d, sink, stats);
                // The same bytes at an offset inside a larger, direct buffer (as a socket delivers them).
                Datagram direct = new Datagram(input.length + 64);
                direct.buffer.put(0, input);
                direct.length = input.length;
                decoder.decode(direct, sink, stats);
            });
            try {
                run.get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("decoding did not finish: endless loop? input " + Arrays.toString(input));
            } catch (ExecutionException e) {
                throw new AssertionError("decoder threw", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            assertEquals(0, decoder.internalErrors, "the decoder's guard caught an out-of-bounds read");
            assertEquals(2, stats.datagrams(Protocol.SFLOW5));
            assertEquals(flows[0], stats.flows(Protocol.SFLOW5));
            assertTrue(flows[0] <= 2 * (input.length / 8), "more flows than the bytes allow");
        }
    }
}

package io.sluice.decode.netflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.Datagram;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.testing.Captures;
import io.sluice.testing.CapturesPresent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Mutated real NetFlow v5/v9 and IPFIX datagrams (bit flips, truncation, length fields set to 0 /
 * 0xFFFF / 4, template field counts and lengths forced, template withdrawals injected) never make a
 * decoder throw or loop. The decoders catch RuntimeException as a last resort and count it as
 * MALFORMED (which they use for nothing else), so "never throws" is asserted as "MALFORMED stays 0";
 * "never loops" as a generous per-datagram timeout.
 *
 * <p>One decoder state lives across all tries, primed with every capture, so mutated templates and
 * data meet known (and previously mutated) templates, as they would on a long-running collector.
 */
@AddLifecycleHook(CapturesPresent.class)
class NetflowFuzzTest {
    private static final Duration PER_DATAGRAM = Duration.ofSeconds(5);

    private static List<byte[]> corpus;
    private static NetflowDecoders decoders;
    private static VersionDispatch decoder;
    private static final DecodeStats stats = new DecodeStats();
    private static final Datagram datagram = new Datagram(ByteBuffer.allocate(0));
    private static final FlowSink sink = NetflowFuzzTest::check;

    @BeforeContainer
    static void loadCorpus() throws IOException {
        Path captures = Captures.captures();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(captures.resolve("akvorado/netflow"))) {
            s.filter(p -> p.toString().endsWith(".pcap")).sorted().forEach(files::add);
        }
        files.add(captures.resolve("akvorado/extra/ipfix_v10_with_mpls_labels.pcap"));
        try (Stream<Path> s = Files.list(captures.resolve("goflow2"))) {
            s.filter(p -> p.getFileName().toString().matches("nfv.*\\.bin") && !p.toString().endsWith("payloads.bin"))
                    .sorted().forEach(files::add);
        }
        corpus = new ArrayList<>();
        for (Path f : files) {
            for (CapturedDatagram d : CaptureReader.read(f)) corpus.add(d.payload());
        }
        decoders = new NetflowDecoders(NetflowConfig.defaults().withPending(64, Duration.ofSeconds(60)));
        decoder = new VersionDispatch(null, decoders.newNetflowV5(), decoders.newNetflowV9(), decoders.newIpfix());
        for (byte[] d : corpus) decode(d);
        assertEquals(0, stats.totalErrors(), "the unmutated corpus decodes cleanly");
    }

    /** Invariants of every emitted flow (a broken record must not yield impossible values). */
    private static void check(FlowRecord f) {
        if (f.srcAddr.length != 0 && f.srcAddr.length != 4 && f.srcAddr.length != 16) throw new AssertionError("address");
        if (f.mplsCount > FlowRecord.MAX_LIST) throw new AssertionError("mpls");
    }

    private static void decode(byte[] payload) {
        datagram.buffer = ByteBuffer.wrap(payload);
        datagram.length = payload.length;
        datagram.setExporter(new byte[] {(byte) 198, 51, 100, 9}, 4739);
        datagram.timeReceivedNs += 1_000_000;
        assertTimeoutPreemptively(PER_DATAGRAM, () -> decoder.decode(datagram, sink, stats));
    }

    @Property(tries = 3000)
    void mutatedCapturesNeverThrowNorLoop(@ForAll("mutated") byte[] payload) {
        decode(payload);
        assertEquals(0, stats.errors(DecodeError.MALFORMED), "a decoder threw internally");
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, corpus.size() - 1),
                        Arbitraries.integers().between(0, 7),
                        Arbitraries.longs())
                .as((index, kind, seed) -> mutate(corpus.get(index), kind, new Random(seed)));
    }

    static byte[] mutate(byte[] original, int kind, Random r) {
        byte[] b = original.clone();
        switch (kind) {
            case 0 -> { // bit flips
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length)); // truncation
            case 2, 3 -> { // a random 16-bit word forced to 0 or 0xFFFF
                int p = r.nextInt(Math.max(1, b.length - 1));
                byte v = kind == 2 ? 0 : (byte) 0xFF;
                b[p] = v;
                if (p + 1 < b.length) b[p + 1] = v;
            }
            case 4 -> { // a set length (or the IPFIX message length) set to 0, 4, 0xFFFF or random
                List<Integer> lengths = lengthFields(b);
                int at = lengths.get(r.nextInt(lengths.size()));
                int v = switch (r.nextInt(4)) { case 0 -> 0; case 1 -> 4; case 2 -> 0xFFFF; default -> r.nextInt(0x10000); };
                put16(b, at, v);
            }
            case 5 -> { // inside template sets: field counts / lengths forced (0, 0xFFFF = variable, huge)
                for (int p : templateSetBodies(b)) {
                    int q = p + r.nextInt(Math.max(1, Math.min(64, b.length - p - 1)));
                    if (q + 1 < b.length) put16(b, q & ~1, r.nextBoolean() ? 0 : 0xFFFF);
                }
            }
            case 6 -> b = injectWithdrawals(b, r); // template withdrawals ahead of the sets
            default -> { // a random byte range zeroed (padding-like)
                int p = r.nextInt(b.length), n = Math.min(b.length - p, 1 + r.nextInt(32));
                Arrays.fill(b, p, p + n, (byte) 0);
            }
        }
        return b;
    }

    private static int version(byte[] b) {
        return b.length < 2 ? -1 : ((b[0] & 0xff) << 8) | (b[1] & 0xff);
    }

    private static int headerLength(byte[] b) {
        return version(b) == 10 ? 16 : version(b) == 9 ? 20 : -1;
    }

    private static void put16(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 8);
        b[at + 1] = (byte) v;
    }

    private static int get16(byte[] b, int at) {
        return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
    }

    /** Offsets of the set length fields (and the IPFIX message length); v5: its count field. */
    private static List<Integer> lengthFields(byte[] b) {
        List<Integer> at = new ArrayList<>();
        at.add(2);
        int h = headerLength(b);
        if (h < 0) return at;
        for (int p = h; p + 4 <= b.length; ) {
            at.add(p + 2);
            int len = get16(b, p + 2);
            if (len < 4) break;
            p += len;
        }
        return at;
    }

    /** Offsets of the first byte after the set header of each template / options template set. */
    private static List<Integer> templateSetBodies(byte[] b) {
        List<Integer> at = new ArrayList<>();
        int h = headerLength(b);
        if (h < 0) return at;
        for (int p = h; p + 4 <= b.length; ) {
            int id = get16(b, p), len = get16(b, p + 2);
            if (id <= 3) at.add(p + 4);
            if (len < 4) break;
            p += len;
        }
        return at;
    }

    /** IPFIX: a set of withdrawals (known, unknown, all-of-a-kind ids) inserted after the header. */
    private static byte[] injectWithdrawals(byte[] b, Random r) {
        if (version(b) != 10 || b.length < 16) return b;
        int n = 1 + r.nextInt(6);
        boolean options = r.nextBoolean();
        ByteBuffer set = ByteBuffer.allocate(4 + 4 * n);
        set.putShort((short) (options ? 3 : 2)).putShort((short) set.capacity());
        for (int i = 0; i < n; i++) {
            int id = switch (r.nextInt(4)) {
                case 0 -> options ? 3 : 2; // withdraw all of the kind
                case 1 -> templateIdOfFirstDataSet(b);
                case 2 -> r.nextInt(256);   // reserved ids
                default -> 256 + r.nextInt(0xFF00);
            };
            set.putShort((short) id).putShort((short) 0);
        }
        byte[] out = new byte[b.length + set.capacity()];
        System.arraycopy(b, 0, out, 0, 16);
        System.arraycopy(set.array(), 0, out, 16, set.capacity());
        System.arraycopy(b, 16, out, 16 + set.capacity(), b.length - 16);
        put16(out, 2, Math.min(0xFFFF, out.length));
        return out;
    }

    private static int templateIdOfFirstDataSet(byte[] b) {
        for (int p = 16; p + 4 <= b.length; ) {
            int id = get16(b, p), len = get16(b, p + 2);
            if (id >= 256) return id;
            if (len < 4) break;
            p += len;
        }
        return 256;
    }
}

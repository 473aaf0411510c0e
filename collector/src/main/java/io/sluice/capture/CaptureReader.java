package io.sluice.capture;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Reads the UDP datagrams of a capture one at a time, in constant memory whatever the input's size (a
 * 64 KiB read buffer, the largest record, and the bounded fragment reassembly), from a file or a pipe
 * ({@code tcpdump -w - | sluice decode -}: each datagram is returned as soon as its record has arrived).
 * <ul>
 *   <li>classic pcap (either byte order, µs or ns timestamps) and pcapng (blocks per the spec, several
 *       interfaces with their own link types), link types Ethernet (802.1Q/QinQ tags skipped), Linux cooked
 *       SLL (113) and SLL2 (276), BSD NULL (0) and LOOP (108), raw IP (101, 228, 229); IPv4 and IPv6,
 *       fragments reassembled, UDP; other packets are skipped and counted in {@link #stats()};</li>
 *   <li>{@code *.payloads.bin}: repeated {@code [u32 big-endian length][bytes]}; the exporter is unknown,
 *       so 127.0.0.1 port 0 stands for it (Akvorado's tests use the same convention);</li>
 *   <li>one raw NetFlow/IPFIX/sFlow datagram (goflow2's {@code .bin} test packets), told by its version;</li>
 *   <li>anything else is a {@link CaptureFormatException} that says what the input is instead
 *       (text, gzip, ...).</li>
 * </ul>
 * Off the hot path (decode, replay, tests, bench loading): each datagram is a new object.
 */
public final class CaptureReader implements Closeable {
    private static final byte[] LOCALHOST = {127, 0, 0, 1};
    /** The largest UDP payload: a raw datagram file longer than this is not one datagram. */
    private static final int MAX_DATAGRAM = 65_535;

    private final CaptureInput in;
    private final InputKind kind;
    private final CaptureStats stats = new CaptureStats();
    private final FrameSource frames;
    private final UdpExtractor extractor;
    private final CapturedFrame frame = new CapturedFrame();
    private boolean rawDone;

    private CaptureReader(CaptureInput in, BitSet ports) throws IOException {
        this.in = in;
        int n = in.ensure(InputKind.SNIFF);
        byte[] head = new byte[InputKind.SNIFF];
        System.arraycopy(in.buffer(), in.bufferPosition(), head, 0, Math.min(n, head.length));
        kind = InputKind.of(head, Math.min(n, head.length), in.source());
        frames = switch (kind) {
            case PCAP -> new PcapFrames(in);
            case PCAPNG -> new PcapngFrames(in);
            case NOT_A_CAPTURE -> throw new CaptureFormatException(in.source(), -1, InputKind.whyNot(head, Math.min(n, head.length)));
            default -> null;
        };
        extractor = frames == null ? null : new UdpExtractor(stats, ports);
    }

    /** Opens a file; every UDP datagram is returned. */
    public static CaptureReader open(Path file) throws IOException {
        return open(file, null);
    }

    /**
     * Opens a file; only UDP datagrams to the destination ports set in {@code ports} are returned (null: all).
     * Payload and raw datagram files carry no ports and are never filtered.
     */
    public static CaptureReader open(Path file, BitSet ports) throws IOException {
        InputStream stream = Files.newInputStream(file);
        try {
            return new CaptureReader(new CaptureInput(stream, file.toString()), ports);
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    /** Reads a stream (standard input: {@code source} "-"), as it arrives. */
    public static CaptureReader open(InputStream stream, String source, BitSet ports) throws IOException {
        return new CaptureReader(new CaptureInput(stream, source), ports);
    }

    /** The next datagram, or null at the end of the input. */
    public CapturedDatagram next() throws IOException {
        return switch (kind) {
            case PAYLOADS -> nextPayload();
            case RAW_DATAGRAM -> rawDatagram();
            default -> nextFromFrames();
        };
    }

    private CapturedDatagram nextFromFrames() throws IOException {
        while (frames.next(frame)) {
            CapturedDatagram d = extractor.extract(frame);
            if (d != null) return d;
        }
        return null;
    }

    private CapturedDatagram nextPayload() throws IOException {
        long offset = in.offset();
        byte[] prefix = new byte[4];
        if (!in.readFully(prefix, 0, 4, "a length prefix")) return null;
        long len = LinkLayer.u32(prefix, 0) & 0xffffffffL;
        if (len > MAX_DATAGRAM) {
            throw new CaptureFormatException(in.source(), offset, "payload length " + len + " is more than a UDP datagram holds");
        }
        byte[] payload = new byte[(int) len];
        try {
            in.readFully(payload, 0, payload.length, "a payload");
        } catch (CaptureFormatException e) {
            throw new CaptureFormatException(in.source(), offset, "length " + len + " overruns the file");
        }
        stats.datagrams++;
        return new CapturedDatagram(LOCALHOST, 0, 0, 0, payload);
    }

    private CapturedDatagram rawDatagram() throws IOException {
        if (rawDone) return null;
        rawDone = true;
        byte[] buf = new byte[MAX_DATAGRAM + 1];
        int n = 0;
        while (n < buf.length) {
            int r = in.ensure(1);
            if (r == 0) break;
            int take = Math.min(r, buf.length - n);
            in.readFully(buf, n, take, "the datagram");
            n += take;
        }
        if (n > MAX_DATAGRAM) {
            throw new CaptureFormatException(in.source(), -1, "more than " + MAX_DATAGRAM
                    + " bytes: not one raw flow datagram, and not a pcap or pcapng capture");
        }
        stats.datagrams++;
        byte[] payload = new byte[n];
        System.arraycopy(buf, 0, payload, 0, n);
        return new CapturedDatagram(LOCALHOST, 0, 0, 0, payload);
    }

    /** What was skipped, and why. */
    public CaptureStats stats() {
        if (extractor != null) stats.fragmentsIncomplete = extractor.pendingFragmented();
        return stats;
    }

    /** Bytes consumed so far (progress against the file size). */
    public long offset() {
        return in.offset();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** Every datagram of a (small) file, in a list: for tests and tools that replay a capture whole. */
    public static List<CapturedDatagram> read(Path file) throws IOException {
        List<CapturedDatagram> out = new ArrayList<>();
        try (CaptureReader r = open(file)) {
            for (CapturedDatagram d = r.next(); d != null; d = r.next()) out.add(d);
        }
        return out;
    }

    /** Reads several files in order, as one list. */
    public static List<CapturedDatagram> readAll(List<Path> files) throws IOException {
        List<CapturedDatagram> all = new ArrayList<>();
        for (Path f : files) all.addAll(read(f));
        return all;
    }
}

package io.sluice.testing;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.decode.netflow.NetflowDecoders;
import io.sluice.decode.sflow.SflowDecoder;
import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Bytes or a capture in, flows and stats out: a fresh set of decoders (all four protocols, one worker's
 * worth, sharing one template store) behind the version router, exactly as a worker decodes. Flows come
 * back as `sluice decode` prints them (FlowJson), parsed into maps.
 *
 * <pre>{@code
 * DecodeHarness h = new DecodeHarness();
 * List<Map<String, Object>> flows = h.feed(template, data);
 * assertEquals(1, h.stats().totalFlows());
 * }</pre>
 */
public final class DecodeHarness {
    /** The exporter every {@link #feed(byte[]...)} datagram comes from, unless {@link #from} says otherwise. */
    public static final byte[] EXPORTER = {(byte) 192, 0, 2, 10};

    private final NetflowDecoders netflow;
    private final SflowDecoder sflow;
    private final VersionDispatch decoder;
    private final DecodeStats stats;
    private final Datagram datagram = new Datagram(ByteBuffer.allocate(0));
    private long receivedNs = 1;

    public DecodeHarness() {
        this(NetflowConfig.defaults());
    }

    public DecodeHarness(NetflowConfig config) {
        this(new NetflowDecoders(config));
    }

    /** Decoders around an existing store (a second worker of the same process). */
    public DecodeHarness(NetflowDecoders netflow) {
        this(netflow, new DecodeStats());
    }

    /** The same, counting into {@code stats}. */
    public DecodeHarness(NetflowDecoders netflow, DecodeStats stats) {
        this.netflow = netflow;
        this.stats = stats;
        this.sflow = new SflowDecoder(netflow.config().decapsulation());
        this.decoder = new VersionDispatch(sflow, netflow.newNetflowV5(),
                netflow.newNetflowV9(), netflow.newIpfix());
        datagram.setExporter(EXPORTER, 4739);
    }

    /** Sets the UDP source of the next datagrams (4 or 16 address bytes). */
    public DecodeHarness from(byte[] address, int port) {
        datagram.setExporter(address, port);
        return this;
    }

    /** Sets the receive time (ns) of the next datagrams; by default each datagram is 1 ns after the last. */
    public DecodeHarness receivedAt(long ns) {
        receivedNs = ns;
        return this;
    }

    /** Decodes the datagrams in order; returns their flows. */
    public List<Map<String, Object>> feed(byte[]... datagrams) {
        StringBuilder out = new StringBuilder();
        for (byte[] m : datagrams) decode(m, out);
        return CaptureReplay.parseLines(out.toString());
    }

    /** Decodes every datagram of a capture (pcap or pcapng), each from its own source; returns the flows. */
    public List<Map<String, Object>> feed(Path capture) {
        List<CapturedDatagram> captured;
        try {
            captured = CaptureReader.read(capture);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        StringBuilder out = new StringBuilder();
        for (CapturedDatagram c : captured) decode(c, out);
        return CaptureReplay.parseLines(out.toString());
    }

    /** Decodes one captured datagram, from its own source at its capture time; returns its flows. */
    public List<Map<String, Object>> feed(CapturedDatagram c) {
        StringBuilder out = new StringBuilder();
        decode(c, out);
        return CaptureReplay.parseLines(out.toString());
    }

    private void decode(CapturedDatagram c, StringBuilder out) {
        datagram.setExporter(c.sourceAddress(), c.sourcePort());
        receivedNs = c.timestampNanos();
        decode(c.payload(), out);
    }

    /** Decodes one datagram into the test's own sink: for tests of the sink contract itself. */
    public void feed(FlowSink sink, byte[] payload) {
        datagram.buffer = ByteBuffer.wrap(payload);
        datagram.length = payload.length;
        datagram.timeReceivedNs = receivedNs++;
        decoder.decode(datagram, sink, stats);
    }

    private void decode(byte[] payload, StringBuilder out) {
        feed(f -> FlowJson.append(f, out.append(out.isEmpty() ? "" : "\n")), payload);
    }

    public DecodeStats stats() {
        return stats;
    }

    /** The sFlow decoder (its package's tests read its guard count). */
    public SflowDecoder sflow() {
        return sflow;
    }

    public NetflowDecoders netflow() {
        return netflow;
    }
}

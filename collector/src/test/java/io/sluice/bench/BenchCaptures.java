package io.sluice.bench;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads the datagrams of a ../shared/bench capture. Those files are pcapng (tcpdump 4.99 writes it),
 * which {@link CaptureReader} does not read (it takes classic pcap): the packet blocks are rewritten
 * as a classic pcap in memory and handed to it, so the UDP extraction stays CaptureReader's.
 */
final class BenchCaptures {
    private static final int PCAPNG_SECTION_HEADER = 0x0A0D0D0A;
    private static final int PCAPNG_INTERFACE = 1;
    private static final int PCAPNG_ENHANCED_PACKET = 6;

    private BenchCaptures() {}

    static List<CapturedDatagram> read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 12 || ByteBuffer.wrap(bytes).getInt(0) != PCAPNG_SECTION_HEADER) {
            return CaptureReader.read(file);
        }
        Path pcap = Files.createTempFile("sluice-bench-", ".pcap");
        try {
            Files.write(pcap, toClassicPcap(bytes));
            return CaptureReader.read(pcap);
        } finally {
            Files.deleteIfExists(pcap);
        }
    }

    /** One section, one interface (what tcpdump writes for one capture), µs timestamps. */
    static byte[] toClassicPcap(byte[] ng) {
        ByteBuffer in = ByteBuffer.wrap(ng);
        in.order(in.getInt(8) == 0x1A2B3C4D ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        ByteArrayOutputStream out = new ByteArrayOutputStream(ng.length);
        ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        int linkType = 1;
        boolean headerWritten = false;
        int pos = 0;
        while (pos + 12 <= ng.length) {
            int type = in.getInt(pos);
            int length = in.getInt(pos + 4);
            if (length < 12 || pos + length > ng.length) break;
            if (type == PCAPNG_INTERFACE) linkType = in.getShort(pos + 8) & 0xFFFF;
            if (type == PCAPNG_ENHANCED_PACKET) {
                if (!headerWritten) {
                    ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
                    h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                            .putInt(262144).putInt(linkType);
                    out.writeBytes(h.array());
                    headerWritten = true;
                }
                long ts = ((in.getInt(pos + 12) & 0xFFFFFFFFL) << 32) | (in.getInt(pos + 16) & 0xFFFFFFFFL);
                int captured = in.getInt(pos + 20);
                int original = in.getInt(pos + 24);
                record.clear();
                record.putInt((int) (ts / 1_000_000)).putInt((int) (ts % 1_000_000)).putInt(captured).putInt(original);
                out.writeBytes(record.array());
                out.write(ng, pos + 28, captured);
            }
            pos += length;
        }
        return out.toByteArray();
    }
}

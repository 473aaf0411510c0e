package io.sluice.capture;

import io.sluice.testing.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.sluice.capture.CaptureBuilder.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Captures larger than 4 GiB: offsets past 2^32 are kept as longs (a packet after them is read, an error
 * after them names its true offset) and memory stays flat (`sluice decode` runs in a 48 MiB heap over a
 * 4 GiB file). The file is sparse: a pcapng whose 4 GiB are one block of a type the reader must skip by its
 * length (pcapng spec: unknown blocks are skipped), so the test writes a few KiB and ends in seconds.
 */
class LargeCaptureTest {
    private static final long FOUR_GIB = 1L << 32;
    /** The largest legal block length (a multiple of 4 below 2^32). */
    private static final long HUGE_BLOCK = 0xFFFF_FFF0L;

    @TempDir
    Path dir;

    /** SHB + IDB + packet, a 4 GiB skipped block, then {@code after} (blocks that start past 2^32). */
    private Path sparse(String name, byte[] payload, byte[] after) throws IOException {
        Path file = dir.resolve(name);
        byte[] head = new Pcapng(ByteOrder.LITTLE_ENDIAN).section().iface(1, -1)
                .enhanced(0, 1_700_000_000_000_000L, ethernet(ipv4Udp(payload, 2055))).bytes();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(head), 0);
            long block = head.length;
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(0x00000BAD).putInt((int) HUGE_BLOCK).flip(); // a custom block (type 0xBAD), 4 GiB long
            ch.write(b, block);
            ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) HUGE_BLOCK), block + HUGE_BLOCK - 4);
            ch.write(ByteBuffer.wrap(after), block + HUGE_BLOCK);
        }
        assertTrue(Files.size(file) > FOUR_GIB, "the file is larger than 4 GiB");
        return file;
    }

    private static long afterHugeBlock(byte[] payload) {
        return new Pcapng(ByteOrder.LITTLE_ENDIAN).section().iface(1, -1)
                .enhanced(0, 1_700_000_000_000_000L, ethernet(ipv4Udp(payload, 2055))).bytes().length + HUGE_BLOCK;
    }

    private static byte[] realPayload() throws IOException {
        return CaptureReader.read(Captures.file("akvorado/netflow/nfv5.pcap")).getFirst().payload();
    }

    /** Packet blocks of the section already opened (the interface 0 is Ethernet): only EPBs, no new SHB. */
    private static byte[] packets(byte[]... payloads) {
        Pcapng p = new Pcapng(ByteOrder.LITTLE_ENDIAN);
        long ts = 1_700_000_100_000_000L;
        for (byte[] payload : payloads) p.enhanced(0, ts++, ethernet(ipv4Udp(payload, 2055)));
        return p.bytes();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void packetsPastFourGibAreRead() throws IOException {
        byte[] payload = realPayload();
        Path file = sparse("big.pcapng", payload, packets(payload, payload));
        List<Long> offsets = new ArrayList<>();
        try (CaptureReader r = CaptureReader.open(file)) {
            for (CapturedDatagram d = r.next(); d != null; d = r.next()) {
                assertArrayEquals(payload, d.payload());
                offsets.add(r.offset());
            }
        }
        assertEquals(3, offsets.size(), "one packet before the 4 GiB block, two after it");
        assertTrue(offsets.get(1) > FOUR_GIB && offsets.get(2) > offsets.get(1), offsets.toString());
        assertEquals(Files.size(file), offsets.get(2), "read to the last byte");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anErrorPastFourGibNamesItsTrueOffset() throws IOException {
        byte[] payload = realPayload();
        byte[] good = packets(payload);
        byte[] bad = packets(payload);
        bad[bad.length - 4] ^= 0x10; // the trailing copy of the block length no longer matches
        byte[] after = new byte[good.length + bad.length];
        System.arraycopy(good, 0, after, 0, good.length);
        System.arraycopy(bad, 0, after, good.length, bad.length);
        Path file = sparse("corrupt.pcapng", payload, after);
        long badBlock = afterHugeBlock(payload) + good.length;
        assertTrue(badBlock > FOUR_GIB);
        try (CaptureReader r = CaptureReader.open(file)) {
            r.next();
            r.next();
            CaptureFormatException e = assertThrows(CaptureFormatException.class, r::next);
            assertTrue(e.getMessage().endsWith("at byte " + badBlock), e.getMessage());
        }
    }

    /** The whole command in a JVM of its own with a 48 MiB heap: readAllBytes could not even hold 4 GiB. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void decodeRunsOverFourGibInAFortyEightMibHeap() throws Exception {
        byte[] payload = realPayload();
        Path file = sparse("big-cli.pcapng", payload, packets(payload, payload));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m", "-cp", System.getProperty("java.class.path"), "io.sluice.cli.Main",
                "decode", "--count", file.toString())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(100, TimeUnit.SECONDS));
        String err = Files.readString(dir.resolve("stderr.txt"));
        assertEquals(0, p.exitValue(), err);
        // nfv5.pcap's datagram holds 29 flows (akvorado's nfv5.expected.json), three copies of it.
        assertEquals("{\"datagrams\":3,\"flows\":87,\"errors\":0}", out, err);
        assertTrue(err.contains("decoded 3 datagrams, 87 flows; errors: none"), err);
    }

    @Test
    void aRecordLengthNoCaptureToolWritesIsRefusedBeforeAllocating(@TempDir Path d) throws IOException {
        // A pcap record header claiming 4,294,967,040 bytes: refused at once, nothing allocated for it.
        ByteBuffer b = ByteBuffer.allocate(24 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        b.putInt(1_700_000_000).putInt(0).putInt(0xFFFFFF00).putInt(0xFFFFFF00);
        Path file = d.resolve("huge-record.pcap");
        Files.write(file, b.array());
        CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> CaptureReader.read(file));
        assertTrue(e.getMessage().contains("pcap record length 4294967040 is more than any capture tool writes (262144)"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("at byte 24"), e.getMessage());
    }
}

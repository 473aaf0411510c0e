package io.sluice.capture;

import io.sluice.testing.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.sluice.capture.CaptureBuilder.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * IPv4 (RFC 791) and IPv6 (RFC 8200 4.5) fragments of real datagrams come back whole, in any order, and the
 * reassembly's bounds (count, bytes, age) and refusals (overlap) are counted.
 */
class FragmentReassemblyTest {
    @TempDir
    Path dir;

    /** A real sFlow datagram of over 1000 bytes (akvorado's data-1140 capture). */
    private static byte[] bigDatagram() throws IOException {
        for (CapturedDatagram d : CaptureReader.read(Captures.file("akvorado/sflow/data-1140.pcap"))) {
            if (d.payload().length > 1000) return d.payload();
        }
        throw new AssertionError("no datagram over 1000 bytes in data-1140.pcap");
    }

    private List<CapturedDatagram> read(int linkType, List<byte[]> frames, CaptureStats[] stats) throws IOException {
        Path file = dir.resolve("fragments.pcap");
        Files.write(file, pcap(ByteOrder.LITTLE_ENDIAN, false, linkType, 1_700_000_000L, frames));
        List<CapturedDatagram> out = new ArrayList<>();
        try (CaptureReader r = CaptureReader.open(file)) {
            for (CapturedDatagram d = r.next(); d != null; d = r.next()) out.add(d);
            stats[0] = r.stats();
        }
        return out;
    }

    @Test
    void ipv4FragmentsOutOfOrderAndInterleavedComeBackWhole() throws IOException {
        byte[] payload = bigDatagram();
        List<byte[]> parts = ipv4Fragments(udp(50000, 6343, payload), 0x4242, 408);
        assertEquals(3, parts.size(), "3 fragments of a " + payload.length + "-byte datagram");
        byte[] small = CaptureReader.read(Captures.file("akvorado/netflow/nfv5.pcap")).getFirst().payload();
        List<byte[]> frames = List.of(ethernet(parts.get(2)), ethernet(parts.get(0)),
                ethernet(ipv4Udp(small, 2055)), ethernet(parts.get(1)));
        CaptureStats[] stats = new CaptureStats[1];
        List<CapturedDatagram> got = read(1, frames, stats);
        assertEquals(2, got.size());
        assertArrayEquals(small, got.get(0).payload(), "the unfragmented datagram passes in between");
        assertArrayEquals(payload, got.get(1).payload(), "reassembled byte for byte");
        assertEquals(50000, got.get(1).sourcePort());
        assertEquals(6343, got.get(1).destinationPort());
        assertArrayEquals(EXPORTER_V4, got.get(1).sourceAddress());
        assertEquals(3, stats[0].fragments());
        assertEquals(1, stats[0].reassembled());
        assertEquals(0, stats[0].fragmentsIncomplete());
    }

    @Test
    void ipv6FragmentsBehindAnExtensionHeaderComeBackWhole() throws IOException {
        byte[] payload = bigDatagram();
        List<byte[]> parts = ipv6Fragments(udp(50000, 6343, payload), 0xdeadbeefL, 504);
        assertEquals(3, parts.size());
        CaptureStats[] stats = new CaptureStats[1];
        List<CapturedDatagram> got = read(276, List.of(sll2(parts.get(1)), sll2(parts.get(2)), sll2(parts.get(0))), stats);
        assertEquals(1, got.size());
        assertArrayEquals(payload, got.getFirst().payload());
        assertArrayEquals(EXPORTER_V6, got.getFirst().sourceAddress());
        assertEquals(1, stats[0].reassembled());
    }

    @Test
    void overlappingFragmentsDropTheDatagram() throws IOException {
        byte[] udp = udp(50000, 6343, bigDatagram());
        List<byte[]> parts = ipv4Fragments(udp, 7, 408);
        // A forged second fragment at offset 400 (8 bytes into the first one's data).
        byte[] overlap = ipv4(EXPORTER_V4, COLLECTOR_V4, 17, 7, true, 50,
                java.util.Arrays.copyOfRange(udp, 400, 808));
        CaptureStats[] stats = new CaptureStats[1];
        List<CapturedDatagram> got = read(101, List.of(parts.get(0), overlap, parts.get(1), parts.get(2)), stats);
        assertEquals(0, got.size(), "no datagram made of overlapping fragments");
        assertEquals(1, stats[0].fragmentsInvalid());
    }

    @Test
    void aDatagramWhoseLastFragmentComesTooLateTimesOut() throws IOException {
        List<byte[]> parts = ipv4Fragments(udp(50000, 6343, bigDatagram()), 9, 408);
        // pcap(...) stamps frames 1 s apart: 40 filler frames put the last fragment 41 s after the first.
        List<byte[]> frames = new ArrayList<>();
        frames.add(parts.get(0));
        frames.add(parts.get(1));
        for (int i = 0; i < 40; i++) frames.add(ipv4(EXPORTER_V4, COLLECTOR_V4, 6, i, false, 0, new byte[20]));
        frames.add(parts.get(2));
        CaptureStats[] stats = new CaptureStats[1];
        assertEquals(0, read(101, frames, stats).size());
        assertEquals(1, stats[0].fragmentsTimedOut(), "first fragments dropped after 30 s");
        assertEquals(1, stats[0].fragmentsIncomplete(), "the late last fragment alone is still incomplete at the end");
    }

    @Test
    void reassemblyIsBoundedInDatagramsAndBytes() throws IOException {
        // 1,500 datagrams of which only the first fragment ever comes: at most 1,024 are held.
        List<byte[]> frames = new ArrayList<>();
        for (int id = 0; id < 1500; id++) frames.add(ipv4(EXPORTER_V4, COLLECTOR_V4, 17, id, true, 0, new byte[16]));
        Path file = dir.resolve("many.pcap");
        // One timestamp for all (a burst), so that none ages out: only the count bound acts.
        Files.write(file, pcapOf(ByteOrder.LITTLE_ENDIAN, false, 101,
                frames.stream().map(f -> new Frame(1_700_000_000_000_000_000L, f)).toList()));
        try (CaptureReader r = CaptureReader.open(file)) {
            assertNull(r.next());
            assertEquals(1500 - FragmentReassembler.MAX_DATAGRAMS, r.stats().fragmentsEvicted());
            assertEquals(FragmentReassembler.MAX_DATAGRAMS, r.stats().fragmentsIncomplete());
        }
        // 400 datagrams whose one fragment sits at 64,000 bytes: each needs ~64 KB, 16 MiB hold 262.
        frames.clear();
        for (int id = 0; id < 400; id++) frames.add(ipv4(EXPORTER_V4, COLLECTOR_V4, 17, id, true, 8000, new byte[8]));
        Files.write(file, pcapOf(ByteOrder.LITTLE_ENDIAN, false, 101,
                frames.stream().map(f -> new Frame(1_700_000_000_000_000_000L, f)).toList()));
        try (CaptureReader r = CaptureReader.open(file)) {
            assertNull(r.next());
            long held = r.stats().fragmentsIncomplete();
            assertEquals(FragmentReassembler.MAX_BYTES / 64_008, held, "as many as 16 MiB hold");
            assertEquals(400 - held, r.stats().fragmentsEvicted());
        }
    }
}

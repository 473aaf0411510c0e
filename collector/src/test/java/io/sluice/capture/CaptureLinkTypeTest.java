package io.sluice.capture;

import io.sluice.testing.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static io.sluice.capture.CaptureBuilder.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every link type the reader claims, on real datagrams: the datagrams of real captures in ../shared are
 * rewrapped, at test time, into frames of each link type (layouts from tcpdump.org/linktypes.html, built
 * by {@link CaptureBuilder}), and must come back byte for byte with their exporter, ports and time.
 */
class CaptureLinkTypeTest {
    @TempDir
    Path dir;

    /** sFlow (akvorado data-1140), NetFlow v5 and IPFIX datagrams of real exporters. */
    static List<CapturedDatagram> real() throws IOException {
        List<CapturedDatagram> all = new ArrayList<>();
        all.addAll(CaptureReader.read(Captures.file("akvorado/sflow/data-1140.pcap")));
        all.addAll(CaptureReader.read(Captures.file("akvorado/netflow/nfv5.pcap")));
        all.addAll(CaptureReader.read(Captures.file("akvorado/netflow/ipfixprobe-templates.pcap")));
        all.addAll(CaptureReader.read(Captures.file("akvorado/netflow/ipfixprobe-data.pcap")));
        return all;
    }

    static Stream<Arguments> linkTypes() {
        return Stream.of(
                Arguments.of("LINUX_SLL2 (tcpdump -i any)", 276, false, (UnaryOperator<byte[]>) CaptureBuilder::sll2),
                Arguments.of("LINUX_SLL2 over IPv6", 276, true, (UnaryOperator<byte[]>) CaptureBuilder::sll2),
                Arguments.of("LINUX_SLL", 113, false, (UnaryOperator<byte[]>) CaptureBuilder::sll),
                Arguments.of("NULL, little-endian host, AF_INET", 0, false,
                        (UnaryOperator<byte[]>) ip -> bsdLoopback(ip, 2, ByteOrder.LITTLE_ENDIAN)),
                Arguments.of("NULL, big-endian host, AF_INET", 0, false,
                        (UnaryOperator<byte[]>) ip -> bsdLoopback(ip, 2, ByteOrder.BIG_ENDIAN)),
                Arguments.of("NULL, macOS AF_INET6 (30)", 0, true,
                        (UnaryOperator<byte[]>) ip -> bsdLoopback(ip, 30, ByteOrder.LITTLE_ENDIAN)),
                Arguments.of("NULL, FreeBSD AF_INET6 (28)", 0, true,
                        (UnaryOperator<byte[]>) ip -> bsdLoopback(ip, 28, ByteOrder.LITTLE_ENDIAN)),
                Arguments.of("LOOP (OpenBSD), AF_INET", 108, false,
                        (UnaryOperator<byte[]>) ip -> bsdLoopback(ip, 2, ByteOrder.BIG_ENDIAN)),
                Arguments.of("LOOP (OpenBSD), AF_INET6 (24)", 108, true,
                        (UnaryOperator<byte[]>) ip -> bsdLoopback(ip, 24, ByteOrder.BIG_ENDIAN)),
                Arguments.of("Ethernet, 802.1ad + 802.1Q (QinQ)", 1, false,
                        (UnaryOperator<byte[]>) ip -> ethernet(ip, 0x88a8, 0x8100)),
                Arguments.of("Ethernet, 802.1Q over IPv6", 1, true, (UnaryOperator<byte[]>) ip -> ethernet(ip, 0x8100)),
                Arguments.of("RAW (101)", 101, false, UnaryOperator.<byte[]>identity()),
                Arguments.of("IPV4 (228)", 228, false, UnaryOperator.<byte[]>identity()),
                Arguments.of("IPV6 (229)", 229, true, UnaryOperator.<byte[]>identity()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkTypes")
    void realDatagramsComeBackFromEveryLinkType(String name, int linkType, boolean ipv6, UnaryOperator<byte[]> link)
            throws IOException {
        List<CapturedDatagram> real = real();
        for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            Path file = dir.resolve("rewrapped.pcap");
            Files.write(file, pcapOf(order, order == ByteOrder.BIG_ENDIAN, linkType, rewrap(real, ipv6, link)));
            List<CapturedDatagram> back = CaptureReader.read(file);
            assertEquals(real.size(), back.size(), name + " " + order);
            for (int i = 0; i < real.size(); i++) {
                CapturedDatagram want = real.get(i);
                CapturedDatagram got = back.get(i);
                assertArrayEquals(want.payload(), got.payload(), name + " datagram " + i);
                assertArrayEquals(ipv6 ? EXPORTER_V6 : want.sourceAddress(), got.sourceAddress(), name);
                assertEquals(want.sourcePort(), got.sourcePort(), name);
                assertEquals(want.destinationPort(), got.destinationPort(), name);
                // The big-endian files are written with ns timestamps, the little-endian ones with µs.
                long expectedTime = order == ByteOrder.BIG_ENDIAN ? want.timestampNanos()
                        : want.timestampNanos() / 1000 * 1000;
                assertEquals(expectedTime, got.timestampNanos(), name);
            }
        }
    }

    @Test
    void framesThatAreNotUdpAreSkippedAndCountedByReason() throws IOException {
        byte[] payload = CaptureReader.read(Captures.file("akvorado/netflow/nfv5.pcap")).getFirst().payload();
        byte[] arp = new byte[42];
        arp[12] = 0x08;
        arp[13] = 0x06;
        byte[] tcp = ipv4(EXPORTER_V4, COLLECTOR_V4, 6, 2, false, 0, new byte[20]);
        byte[] cut = ethernet(ipv4Udp(payload, 2055));
        cut = java.util.Arrays.copyOf(cut, 100); // snap length 100: the UDP datagram is not all there
        Path file = dir.resolve("mixed.pcap");
        Files.write(file, pcap(ByteOrder.LITTLE_ENDIAN, false, 1, 1_700_000_000L,
                List.of(arp, ethernet(tcp), ethernet(ipv4Udp(payload, 2055)), cut, ethernet(ipv4Udp(payload, 9999)))));
        try (CaptureReader r = CaptureReader.open(file, portSet(2055))) {
            assertArrayEquals(payload, r.next().payload());
            assertEquals(null, r.next());
            CaptureStats s = r.stats();
            assertEquals(5, s.frames());
            assertEquals(1, s.datagrams());
            assertEquals(2, s.notUdp(), "ARP and TCP");
            assertEquals(1, s.truncated(), "the frame cut at 100 bytes");
            assertEquals(1, s.otherPort(), "UDP to 9999 with --port 2055");
        }
    }

    @Test
    void anUnsupportedLinkTypeIsCountedWithItsNumber() throws IOException {
        Path file = dir.resolve("wifi.pcap");
        Files.write(file, pcap(ByteOrder.LITTLE_ENDIAN, false, 105, 1_700_000_000L, List.of(new byte[30], new byte[30])));
        try (CaptureReader r = CaptureReader.open(file)) {
            assertEquals(null, r.next());
            assertEquals(2, r.stats().unsupportedLinkType());
            assertEquals(105, r.stats().lastUnsupportedLinkType());
        }
    }

    @Test
    void pcapngSectionsInterfacesAndSkippedBlocks() throws IOException {
        List<CapturedDatagram> real = real();
        byte[] a = real.get(0).payload();
        byte[] b = real.get(1).payload();
        byte[] c = real.get(2).payload();
        Pcapng big = new Pcapng(ByteOrder.BIG_ENDIAN).section()
                .iface(1, -1)                       // interface 0: Ethernet, µs (default resolution)
                .block(4, new byte[] {0, 0, 0, 0})  // name resolution block: skipped
                .iface(276, 9)                      // interface 1: SLL2, ns
                .enhanced(0, 1_700_000_000_123_456L, ethernet(ipv4Udp(a, 6343)))
                .block(0x00000BAD, new byte[] {0, 0, 0x7e, (byte) 0xd3, 1, 2, 3}) // custom block (PEN 32467): skipped
                .enhanced(1, 1_700_000_001_000_000_007L, sll2(ipv6Udp(b, 2055)))
                .block(5, new byte[20])             // interface statistics: skipped
                .block(0x12345678, new byte[13])    // unknown type: skipped by its length
                .simple(ethernet(ipv4Udp(c, 4739)));
        // A second section, little-endian, with its own interface list (interface 0 is now raw IPv4).
        Pcapng little = new Pcapng(ByteOrder.LITTLE_ENDIAN).section().iface(228, 6)
                .enhanced(0, 1_700_000_002_000_001L, ipv4Udp(a, 6343));
        Path file = dir.resolve("two-sections.pcapng");
        byte[] first = big.bytes();
        byte[] second = little.bytes();
        byte[] both = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        Files.write(file, both);

        List<CapturedDatagram> back = CaptureReader.read(file);
        assertEquals(4, back.size());
        assertArrayEquals(a, back.get(0).payload());
        assertEquals(1_700_000_000_123_456_000L, back.get(0).timestampNanos());
        assertArrayEquals(b, back.get(1).payload());
        assertArrayEquals(EXPORTER_V6, back.get(1).sourceAddress());
        assertEquals(1_700_000_001_000_000_007L, back.get(1).timestampNanos());
        assertArrayEquals(c, back.get(2).payload());
        assertEquals(0, back.get(2).timestampNanos(), "a simple packet block has no timestamp");
        assertEquals(4739, back.get(2).destinationPort());
        assertArrayEquals(a, back.get(3).payload());
        assertEquals(1_700_000_002_000_001_000L, back.get(3).timestampNanos());
    }

    static java.util.BitSet portSet(int... ports) {
        java.util.BitSet s = new java.util.BitSet(65536);
        for (int p : ports) s.set(p);
        return s;
    }
}

package io.sluice.capture;

import io.sluice.testing.Captures;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CaptureReaderTest {

    @Test
    void pcapAndPayloadFileOfOneCaptureCarryTheSameDatagrams() throws IOException {
        List<CapturedDatagram> fromPcap = CaptureReader.read(Captures.file("akvorado/netflow/mpls.pcap"));
        List<CapturedDatagram> fromPayloads = CaptureReader.read(Captures.file("akvorado/netflow/mpls.payloads.bin"));
        assertEquals(1, fromPcap.size());
        assertEquals(fromPayloads.size(), fromPcap.size());
        assertArrayEquals(fromPayloads.get(0).payload(), fromPcap.get(0).payload());
        // The exporter is the UDP source of the pcap (MANIFEST: 10.127.100.7), IPFIX to 4739.
        assertArrayEquals(new byte[] {10, 127, 100, 7}, fromPcap.get(0).sourceAddress());
        assertEquals(10, fromPcap.get(0).payload()[1]);
    }

    @Test
    void payloadIsBoundedByTheUdpLengthNotTheFrame() throws IOException {
        // The fuzzed tcpdump capture says 8 bytes of UDP in an 868-byte IP packet: a socket delivers 8.
        List<CapturedDatagram> d = CaptureReader.read(Captures.file("tcpdump/sflow_print-segv.pcap"));
        assertEquals(1, d.size());
        assertEquals(8, d.get(0).payload().length);
    }

    @Test
    void benchCaptureHasTheDatagramsItsReadmeCounts() throws IOException {
        List<CapturedDatagram> d = CaptureReader.read(Captures.bench().resolve("softflowd-nfv5.pcap"));
        assertEquals(6207, d.size());
        assertTrue(d.stream().allMatch(x -> x.payload().length == 1416 || x.payload().length % 48 == 24));
    }

    @Test
    void pcapngCaptureIsRead() throws IOException {
        // Written by Wireshark's editcap: pcapng, the first 15,000 datagrams of pmacctd's sFlow export.
        List<CapturedDatagram> d = CaptureReader.read(Captures.bench().resolve("pmacctd-sflow.pcap"));
        assertEquals(15000, d.size());
        assertTrue(d.stream().allMatch(x -> x.payload().length > 28 && x.payload()[3] == 5), "sFlow v5 datagrams");
        assertTrue(d.get(0).timestampNanos() > 1_600_000_000_000_000_000L, "epoch timestamps in ns");
    }

    @Test
    void aTruncatedPayloadFileIsAnErrorNamingTheFile(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path bad = dir.resolve("bad.payloads.bin");
        Files.write(bad, new byte[] {0, 0, 1, 0, 1, 2});
        CaptureFormatException e = assertThrows(CaptureFormatException.class, () -> CaptureReader.read(bad));
        assertTrue(e.getMessage().contains("bad.payloads.bin"), e.getMessage());
    }
}

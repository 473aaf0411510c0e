package io.sluice.fuzz;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.testing.Captures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The fuzz targets' seeds, read at test time from the real captures in ../shared/captures (never copied
 * into the repository): in regression mode ({@code make test}) each target runs once per seed, in fuzzing
 * mode ({@code make fuzz}) Jazzer mutates them.
 */
final class FuzzSeeds {
    /** Seeds larger than this are left out (the fuzzer's inputs stay small and fast). */
    private static final int MAX_SEED = 64 * 1024;

    private FuzzSeeds() {}

    /** Every capture file (pcap and raw .bin) under ../shared/captures, sorted. */
    static List<Path> captureFiles() {
        try (Stream<Path> s = Files.walk(Captures.captures())) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> p.toString().endsWith(".pcap") || (p.toString().endsWith(".bin")
                            && !p.toString().endsWith(".payloads.bin") && !p.toString().endsWith(".frame.bin")))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The UDP payloads of every capture that satisfy {@code kind}: one seed per datagram. */
    static Stream<byte[]> datagrams(Predicate<byte[]> kind) {
        List<byte[]> out = new ArrayList<>();
        for (Path f : captureFiles()) {
            for (CapturedDatagram d : read(f)) if (kind.test(d.payload())) out.add(d.payload());
        }
        return out.stream();
    }

    /**
     * Seeds for the template-based decoders: each capture file's datagrams of that version, preceded by
     * those of its template capture ({@code X-data.pcap} after {@code X-template(s).pcap}), framed as
     * {@link FuzzInput#datagrams}.
     */
    static Stream<byte[]> templateSessions(int version) {
        List<byte[]> out = new ArrayList<>();
        for (Path f : captureFiles()) {
            List<byte[]> session = new ArrayList<>();
            String name = f.getFileName().toString();
            if (name.endsWith("-data.pcap")) {
                String stem = name.substring(0, name.length() - "-data.pcap".length());
                for (String t : List.of("-template.pcap", "-templates.pcap", "-options-template.pcap", "-options-data.pcap")) {
                    Path template = f.resolveSibling(stem + t);
                    if (Files.exists(template)) for (CapturedDatagram d : read(template)) session.add(d.payload());
                }
            }
            for (CapturedDatagram d : read(f)) session.add(d.payload());
            session.removeIf(p -> p.length < 2 || (((p[0] & 0xff) << 8) | (p[1] & 0xff)) != version);
            if (!session.isEmpty()) {
                byte[] framed = FuzzInput.frame(session);
                if (framed.length <= MAX_SEED) out.add(framed);
            }
        }
        return out.stream();
    }

    /** Whole capture files, for the capture reader. */
    static Stream<byte[]> files() {
        List<byte[]> out = new ArrayList<>();
        for (Path f : captureFiles()) {
            try {
                if (Files.size(f) <= MAX_SEED) out.add(Files.readAllBytes(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out.stream();
    }

    /** The single Ethernet frames of akvorado/l2-headers (MPLS, QinQ, GRE, IPIP, SRv6...), for the header parser. */
    static Stream<byte[]> frames() {
        try (Stream<Path> s = Files.list(Captures.captures().resolve("akvorado/l2-headers"))) {
            List<byte[]> out = new ArrayList<>();
            for (Path p : s.filter(p -> p.toString().endsWith(".frame.bin")).sorted().toList()) out.add(Files.readAllBytes(p));
            return out.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<CapturedDatagram> read(Path f) {
        try {
            return CaptureReader.read(f);
        } catch (IOException e) {
            return List.of(); // a capture the reader refuses is not a seed (the reader's own target covers it)
        }
    }

    static boolean isSflow(byte[] p) {
        return p.length >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 5;
    }

    static boolean isNetflowV5(byte[] p) {
        return p.length >= 2 && p[0] == 0 && p[1] == 5;
    }

}

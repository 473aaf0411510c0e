package io.sluice.testing;

import io.sluice.cli.DecodeCommand;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.decode.netflow.NetflowDecoders;
import io.sluice.decode.sflow.SflowDecoder;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The flows {@code sluice decode} makes of datagrams, in order, with fresh decoders (one exporter): what
 * a collector that saw them all must deliver. They are written as a payloads file (u32 length + bytes
 * each, a format CaptureReader reads) and decoded by DecodeCommand, one JSON line per flow.
 */
public final class OfflineDecode {
    private OfflineDecode() {}

    public static long flows(List<byte[]> payloads) throws IOException {
        Path part = Files.createTempFile("sluice-offline-", ".payloads.bin");
        try {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(part)))) {
                for (byte[] payload : payloads) {
                    out.writeInt(payload.length);
                    out.write(payload);
                }
            }
            LineCounter lines = new LineCounter();
            NetflowDecoders nf = new NetflowDecoders(NetflowConfig.defaults());
            DecodeCommand.decode(new VersionDispatch(new SflowDecoder(), nf.newNetflowV5(), nf.newNetflowV9(), nf.newIpfix()),
                    List.of(part), lines);
            return lines.lines;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Counts the lines written to it (the JSON lines are not kept). */
    private static final class LineCounter implements Appendable {
        long lines;

        @Override
        public Appendable append(CharSequence csq) {
            for (int i = 0; i < csq.length(); i++) if (csq.charAt(i) == '\n') lines++;
            return this;
        }

        @Override
        public Appendable append(CharSequence csq, int start, int end) {
            return append(csq.subSequence(start, end));
        }

        @Override
        public Appendable append(char c) {
            if (c == '\n') lines++;
            return this;
        }
    }
}

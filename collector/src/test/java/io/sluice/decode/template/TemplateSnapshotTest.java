package io.sluice.decode.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.Protocol;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.decode.netflow.NetflowDecoders;
import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.testing.Captures;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A process that loads another's template snapshot decodes the exporter's data exactly as the other
 * would have, from the first data set on, where a fresh process parks it until the next refresh.
 */
class TemplateSnapshotTest {
    static final class Decoder {
        final NetflowDecoders decoders = new NetflowDecoders(NetflowConfig.defaults());
        final VersionDispatch flow = new VersionDispatch(null, decoders.newNetflowV5(), decoders.newNetflowV9(), decoders.newIpfix());
        final DecodeStats stats = new DecodeStats();
        final Datagram datagram = new Datagram(0);

        List<String> decode(CapturedDatagram c) {
            List<String> out = new ArrayList<>();
            datagram.buffer = ByteBuffer.wrap(c.payload());
            datagram.length = c.payload().length;
            datagram.setExporter(c.sourceAddress(), c.sourcePort());
            datagram.timeReceivedNs = c.timestampNanos();
            flow.decode(datagram, new FlowSink() {
                @Override
                public void flow(FlowRecord f) {
                    StringBuilder b = new StringBuilder();
                    FlowJson.append(f, b);
                    out.add(b.toString());
                }
            }, stats);
            return out;
        }

        TemplateStore store() {
            return decoders.templateStore();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"pmacctd-ipfix.pcap", "softflowd-ipfix.pcap", "softflowd-nfv9.pcap"})
    void theSuccessorDecodesWithThePredecessorsTemplates(String capture) throws Exception {
        List<CapturedDatagram> datagrams = CaptureReader.read(Captures.bench().resolve(capture));
        int split = datagrams.size() / 2;
        Decoder before = new Decoder();
        for (int i = 0; i < split; i++) before.decode(datagrams.get(i));
        int templates = before.store().templateCount();
        assertTrue(templates > 0, "templates learnt in the first half");

        Path file = Files.createTempFile("sluice-templates-", ".bin");
        try {
            assertEquals(templates, TemplateSnapshot.write(before.store(), file));
            Decoder successor = new Decoder();
            List<TemplateMessage> given = TemplateSnapshot.restore(successor.store(), file, Duration.ofMinutes(10));
            for (TemplateMessage m : given) {
                assertEquals(m.protocol() == Protocol.IPFIX ? 10 : 9, (m.datagram().payload()[0] << 8) | m.datagram().payload()[1],
                        "the message is in the protocol it is routed by");
                assertEquals(List.of(), successor.decode(m.datagram()), "template-only messages");
            }
            assertEquals(templates, successor.store().templateCount(), "every template given back");
            assertEquals(0, successor.stats.totalErrors(), "the synthetic messages decode cleanly: " + successor.stats);
            assertTrue(TemplateSnapshot.restore(before.store(), file, Duration.ofMinutes(10)).isEmpty(),
                    "a store that has them all gets nothing");

            // From the split on: the successor decodes exactly what the predecessor decodes; a fresh
            // process (no snapshot) parks the first data sets until the exporter re-sends its templates.
            Decoder fresh = new Decoder();
            int witnesses = 0;
            for (int i = split; i < datagrams.size(); i++) {
                List<String> expected = before.decode(datagrams.get(i));
                assertEquals(expected, successor.decode(datagrams.get(i)), "datagram " + i);
                if (i < split + 20 && !expected.isEmpty() && fresh.decode(datagrams.get(i)).isEmpty()) witnesses++;
            }
            System.out.printf("template snapshot %s: %d templates, %d synthetic datagrams; %d of the first 20 data "
                    + "datagrams after the split a fresh process could not decode yet%n", capture, templates, given.size(), witnesses);
            assertTrue(witnesses > 0, "without the snapshot the first data sets wait for a template");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

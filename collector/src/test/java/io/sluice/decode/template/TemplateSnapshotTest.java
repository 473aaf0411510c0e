package io.sluice.decode.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Protocol;
import io.sluice.testing.Captures;
import io.sluice.testing.DecodeHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A process that loads another's template snapshot decodes the exporter's data exactly as the other
 * would have, from the first data set on, where a fresh process parks it until the next refresh.
 */
class TemplateSnapshotTest {
    private static TemplateStore store(DecodeHarness h) {
        return h.netflow().templateStore();
    }

    @ParameterizedTest
    @ValueSource(strings = {"pmacctd-ipfix.pcap", "softflowd-ipfix.pcap", "softflowd-nfv9.pcap"})
    void theSuccessorDecodesWithThePredecessorsTemplates(String capture) throws Exception {
        List<CapturedDatagram> datagrams = CaptureReader.read(Captures.bench().resolve(capture));
        int split = datagrams.size() / 2;
        DecodeHarness before = new DecodeHarness();
        for (int i = 0; i < split; i++) before.feed(datagrams.get(i));
        int templates = store(before).templateCount();
        assertTrue(templates > 0, "templates learnt in the first half");

        Path file = Files.createTempFile("sluice-templates-", ".bin");
        try {
            assertEquals(templates, TemplateSnapshot.write(store(before), file));
            DecodeHarness successor = new DecodeHarness();
            List<TemplateMessage> given = TemplateSnapshot.restore(store(successor), file, Duration.ofMinutes(10));
            for (TemplateMessage m : given) {
                assertEquals(m.protocol() == Protocol.IPFIX ? 10 : 9, (m.datagram().payload()[0] << 8) | m.datagram().payload()[1],
                        "the message is in the protocol it is routed by");
                assertEquals(List.of(), successor.feed(m.datagram()), "template-only messages");
            }
            assertEquals(templates, store(successor).templateCount(), "every template given back");
            assertEquals(0, successor.stats().totalErrors(), "the synthetic messages decode cleanly: " + successor.stats());
            assertTrue(TemplateSnapshot.restore(store(before), file, Duration.ofMinutes(10)).isEmpty(),
                    "a store that has them all gets nothing");

            // From the split on: the successor decodes exactly what the predecessor decodes; a fresh
            // process (no snapshot) parks the first data sets until the exporter re-sends its templates.
            DecodeHarness fresh = new DecodeHarness();
            int witnesses = 0;
            for (int i = split; i < datagrams.size(); i++) {
                List<Map<String, Object>> expected = before.feed(datagrams.get(i));
                assertEquals(expected, successor.feed(datagrams.get(i)), "datagram " + i);
                if (i < split + 20 && !expected.isEmpty() && fresh.feed(datagrams.get(i)).isEmpty()) witnesses++;
            }
            System.out.printf("template snapshot %s: %d templates, %d synthetic datagrams; %d of the first 20 data "
                    + "datagrams after the split a fresh process could not decode yet%n", capture, templates, given.size(), witnesses);
            assertTrue(witnesses > 0, "without the snapshot the first data sets wait for a template");
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

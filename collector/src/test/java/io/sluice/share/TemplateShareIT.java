package io.sluice.share;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.cli.Replayer;
import io.sluice.decode.netflow.Ie;
import io.sluice.flow.pb.FlowMessage;
import io.sluice.testing.Captures;
import io.sluice.testing.IpfixSets;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.OfflineDecode;
import io.sluice.testing.SharedKafka;
import io.sluice.testing.SluiceProcess;
import io.sluice.testing.TemplateMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * templates.share through the real binaries: {@code bin/sluice run} processes A, B and later C, each with
 * its own configuration file, on one real broker (two ports stand for two machines). softflowd's IPFIX
 * session is split into its template sets (sent only to A) and its data sets (sent only to B, from the
 * same exporter address): B delivers every flow the offline decoder gives, counted in the flows topic
 * message by message, with no unknown_template drop. A template redefinition sent to B is applied on A,
 * which decodes data in the new layout. Then A stops (SIGTERM) and a fresh C, with no snapshot, reads the
 * topic before serving and decodes the data sent to it at once. Prints (never asserts) the delay from a
 * template reaching A to B decoding data parked for it, and the share's Kafka bytes per template.
 */
@ExtendWith(SharedKafka.class)
class TemplateShareIT {
    private static final int DATAGRAMS = 1200; // of the capture's 7118: ~34k flows, a few seconds per phase
    private static final int REDEFINED = 2049; // softflowd's second IPv6 template: the fewest data sets
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private static InetAddress exporter() throws IOException {
        return InetAddress.getByAddress(new byte[] {127, 0, 0, 20});
    }

    private Path config(String node, KafkaBroker kafka, String flows, String share) throws IOException {
        Path file = tmp.resolve(node + ".yaml");
        Files.writeString(file, """
                # node %s: a machine of its own (its own ports, no state dir: no template snapshot)
                listeners:
                  - {address: 127.0.0.1:0, protocol: auto, workers: 2, rcvbuf: 8388608}
                kafka: {bootstrap-servers: %s, topic: %s, counters-topic: %s-counters, drops-topic: %s-counters}
                metrics: {listen: 127.0.0.1:0}
                batching: {max-age: 20ms}
                handover: {enabled: false, state-dir: ''}
                templates:
                  share: {enabled: true, topic: %s, create-topic: true, startup-wait: 30s}
                """.formatted(node, kafka.bootstrapServers(), flows, flows, flows, share));
        return file;
    }

    /** Flows in the topic, read message by message (goflow2's length-delimited framing; a value may hold several). */
    static List<FlowMessage> flows(KafkaBroker kafka, String topic) throws IOException {
        List<FlowMessage> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic)) {
            ByteArrayInputStream in = new ByteArrayInputStream(r.value());
            FlowMessage m;
            while ((m = FlowMessage.parseDelimitedFrom(in)) != null) out.add(m);
        }
        return out;
    }

    /** Waits for {@code count} flows in the topic, then checks that no more come: exactly that many. */
    static List<FlowMessage> awaitExactly(KafkaBroker kafka, String topic, long count) throws Exception {
        kafka.awaitRecordCount(topic, count, WAIT); // one flow per record (kafka.flows-per-record: 1)
        Thread.sleep(500);
        List<FlowMessage> all = flows(kafka, topic);
        assertEquals(count, all.size(), "flows in " + topic);
        return all;
    }

    @Test
    void templatesGoToATheDataToBAndAFreshCDecodesAtOnce(KafkaBroker kafka) throws Exception {
        String flowsTopic = "share-it-" + System.nanoTime();
        String shareTopic = flowsTopic + "-templates";
        kafka.createTopic(flowsTopic, 1);
        kafka.createTopic(flowsTopic + "-counters", 1);
        List<byte[]> session = CaptureReader.read(Captures.bench().resolve("softflowd-ipfix.pcap")).stream()
                .limit(DATAGRAMS).map(CapturedDatagram::payload).toList();
        List<byte[]> templates = new ArrayList<>(), data = new ArrayList<>(), dataButRedefined = new ArrayList<>();
        for (byte[] m : session) {
            assertEquals(10, ByteBuffer.wrap(m).getShort(0), "an IPFIX capture");
            byte[] t = IpfixSets.only(m, IpfixSets::template);
            byte[] d = IpfixSets.only(m, IpfixSets::data);
            byte[] dr = IpfixSets.only(m, id -> IpfixSets.data(id) && id != REDEFINED);
            if (t != null) templates.add(t);
            if (d != null) data.add(d);
            if (dr != null) dataButRedefined.add(dr);
        }
        long expected = OfflineDecode.flows(concat(templates, data));
        long expectedOnC = OfflineDecode.flows(concat(templates, dataButRedefined));
        assertEquals(OfflineDecode.flows(session), expected, "the split loses nothing offline");
        assertTrue(expected > expectedOnC && expectedOnC > 0, expected + " " + expectedOnC);
        long domain = Integer.toUnsignedLong(ByteBuffer.wrap(templates.get(0)).getInt(12));
        System.out.printf("TemplateShareIT: softflowd-ipfix.pcap, first %d datagrams: %d with template sets, %d with data "
                + "sets, %d flows%n", DATAGRAMS, templates.size(), data.size(), expected);

        long inKafka;
        try (SluiceProcess a = SluiceProcess.start(config("a", kafka, flowsTopic, shareTopic));
             SluiceProcess b = SluiceProcess.start(config("b", kafka, flowsTopic, shareTopic))) {
            assertTrue(a.output().contains("created the template share topic " + shareTopic + " (compacted)"), a.output());
            // the templates, only to A; B applies what A publishes
            long t0 = System.nanoTime();
            Replayer.send(templates, a.listener(), exporter(), 500, 1);
            long published = a.await("sluice_template_share_published_total", 1, WAIT);
            for (long before = -1; before != published; ) { // until A has published all it learnt: no change in 500 ms
                before = published;
                Thread.sleep(500);
                published = a.scrape().sum("sluice_template_share_published_total");
            }
            long applied = b.await("sluice_template_share_applied_total", published, WAIT);
            System.out.printf("TemplateShareIT: %d template messages sent to A; A published %d changes, B applied %d, "
                    + "%d ms after the first was sent%n", templates.size(), published, applied, (System.nanoTime() - t0) / 1_000_000);
            assertTrue(published > 0 && applied >= published, "B applied what A published");
            Thread.sleep(300); // B's workers apply what the share hands them when idle

            // the data, only to B, from the same exporter address; meanwhile the share delay is measured under
            // that load (its records add one flow each)
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread sender = Thread.ofPlatform().name("exporter").start(() -> {
                try {
                    Replayer.send(data, b.listener(), exporter(), 500, 1);
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            int measured = measure(a, b, domain, 41000, 10, "B receiving the capture at 500 datagrams/s, ~14k flows/s");
            sender.join();
            assertEquals(null, failed.get());
            awaitExactly(kafka, flowsTopic, expected + measured);
            MetricsScrape mb = b.scrape();
            assertEquals(0, mb.sum("sluice_socket_drops_total"), "every datagram sent was read");
            assertEquals(0, mb.sum("sluice_decode_errors_total", "reason", "unknown_template"), "no unknown_template drop");
            assertEquals(0, mb.sum("sluice_pending_template_expired_total"));
            assertEquals(expected + measured, mb.sum("sluice_flows_decoded_total"));
            assertEquals(0, mb.sum("sluice_template_share_errors_total"));
            assertEquals(0, a.scrape().sum("sluice_flows_decoded_total"), "A saw no data");

            // a redefinition of template 2049 (a later export time) sent to B is applied on A: A then decodes
            // data in the new layout
            long now = System.currentTimeMillis() / 1000;
            byte[] redefinition = TemplateMessage.ipfix(domain, now, 1)
                    .templateSet(REDEFINED, TemplateMessage.field(Ie.SOURCE_IPV4_ADDRESS, 4),
                            TemplateMessage.field(Ie.DESTINATION_IPV4_ADDRESS, 4), TemplateMessage.field(Ie.OCTET_DELTA_COUNT, 8))
                    .build();
            long appliedOnA = a.scrape().sum("sluice_template_share_applied_total");
            Replayer.send(List.of(redefinition), b.listener(), exporter(), 0, 1);
            assertEquals(appliedOnA + 1, a.await("sluice_template_share_applied_total", appliedOnA + 1, WAIT), "A applied it");
            Thread.sleep(300);
            Replayer.send(List.of(newLayout(domain, 2, new byte[] {10, 9, 9, 9}, 4242)), a.listener(), exporter(), 0, 1);
            List<FlowMessage> all = awaitExactly(kafka, flowsTopic, expected + measured + 1);
            FlowMessage last = all.getLast();
            assertTrue(last.getSrcAddr().endsWith(com.google.protobuf.ByteString.copyFrom(new byte[] {10, 9, 9, 9})),
                    "decoded on A with B's redefinition: " + last);
            assertEquals(4242, last.getBytes());
            assertEquals(0, a.scrape().sum("sluice_decode_errors_total", "reason", "unknown_template"));

            measured += measure(a, b, domain, 42000, 20, "idle");
            inKafka = awaitExactly(kafka, flowsTopic, expected + 1 + measured).size();

            // A stops; a fresh C (empty: no snapshot) reads the topic before serving
            assertEquals(0, a.stop(WAIT), a.output());
            try (SluiceProcess c = SluiceProcess.start(config("c", kafka, flowsTopic, shareTopic))) {
                MetricsScrape mc = c.scrape();
                assertTrue(mc.sum("sluice_template_share_applied_total") >= published + 1, "C applied the topic before serving");
                assertEquals(0, mc.sum("sluice_flows_decoded_total"));
                // the capture's data but for the redefined template, and one record in its new layout
                List<byte[]> toC = new ArrayList<>(dataButRedefined);
                toC.add(newLayout(domain, 3, new byte[] {10, 7, 7, 7}, 77));
                Replayer.send(toC, c.listener(), exporter(), 1000, 1);
                awaitExactly(kafka, flowsTopic, inKafka + expectedOnC + 1);
                mc = c.scrape();
                assertEquals(0, mc.sum("sluice_socket_drops_total"));
                assertEquals(0, mc.sum("sluice_decode_errors_total", "reason", "unknown_template"), "decoded at once");
                assertEquals(0, mc.sum("sluice_pending_template_expired_total"));
                assertEquals(expectedOnC + 1, mc.sum("sluice_flows_decoded_total"));
                assertEquals(0, c.stop(WAIT), c.output());
            }
            assertEquals(0, b.stop(WAIT), b.output());
        }
    }

    /** One data record in the redefined layout of template 2049: source, destination, octets. */
    private static byte[] newLayout(long domain, long sequence, byte[] source, long octets) {
        TemplateMessage m = TemplateMessage.ipfix(domain, System.currentTimeMillis() / 1000, sequence).set(REDEFINED);
        m.body().put(source).put(new byte[] {10, 8, 8, 8}).putLong(octets);
        return m.build();
    }

    /**
     * Figures (not asserted): per new template, a data record for it is first sent to B, where it waits
     * (its template unknown), then the template to A; the delay runs from that send until B's
     * {@code sluice_pending_template_sets} is 0 again, i.e. B applied A's record and decoded the waiting one
     * (B's /metrics polled over HTTP: an upper bound). {@code load}: B receives the capture meanwhile.
     * Prints the delays and A's published bytes per template; returns how many records were sent.
     */
    private static int measure(SluiceProcess a, SluiceProcess b, long domain, int firstId, int n, String load) throws Exception {
        long[] delays = new long[n];
        long bytes0 = a.scrape().sum("sluice_template_share_published_bytes_total");
        long pub0 = a.scrape().sum("sluice_template_share_published_total");
        for (int i = 0; i < n; i++) {
            int id = firstId + i;
            long now = System.currentTimeMillis() / 1000;
            TemplateMessage d = TemplateMessage.ipfix(domain, now, id).set(id);
            d.body().put(new byte[] {10, 6, (byte) (id >> 8), (byte) id}).put(new byte[] {10, 8, 8, 8}).putLong(i).putLong(1);
            Replayer.send(List.of(d.build()), b.listener(), exporter(), 0, 1);
            assertEquals(1, b.await("sluice_pending_template_sets", 1, WAIT), "the record waits on B for its template");
            byte[] t = TemplateMessage.ipfix(domain, now, id)
                    .templateSet(id, TemplateMessage.field(Ie.SOURCE_IPV4_ADDRESS, 4),
                            TemplateMessage.field(Ie.DESTINATION_IPV4_ADDRESS, 4), TemplateMessage.field(Ie.OCTET_DELTA_COUNT, 8),
                            TemplateMessage.field(Ie.PACKET_DELTA_COUNT, 8))
                    .build();
            long t0 = System.nanoTime();
            Replayer.send(List.of(t), a.listener(), exporter(), 0, 1);
            long deadline = t0 + WAIT.toNanos();
            while (b.scrape().sum("sluice_pending_template_sets") != 0 && System.nanoTime() < deadline) Thread.sleep(2);
            delays[i] = (System.nanoTime() - t0) / 1000;
            assertTrue(delays[i] < WAIT.toNanos() / 1000, "B decoded the waiting record");
        }
        long bytes = a.scrape().sum("sluice_template_share_published_bytes_total") - bytes0;
        long pub = a.scrape().sum("sluice_template_share_published_total") - pub0;
        Arrays.sort(delays);
        System.out.printf("TemplateShareIT figures (%s): %d new templates (4 fields) sent to A, each with a data record "
                        + "waiting on B; template sent to A -> waiting record decoded on B: median %.1f ms, p90 %.1f ms, "
                        + "max %.1f ms (B's /metrics polled); A published %d changes, %.1f bytes each (key+value+headers, "
                        + "before batching)%n",
                load, n, delays[n / 2] / 1000.0, delays[n * 9 / 10] / 1000.0, delays[n - 1] / 1000.0,
                pub, pub == 0 ? 0.0 : (double) bytes / pub);
        return n;
    }

    private static List<byte[]> concat(List<byte[]> a, List<byte[]> b) {
        List<byte[]> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}

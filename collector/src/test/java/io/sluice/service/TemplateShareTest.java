package io.sluice.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.cli.Replayer;
import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.decode.Datagram;
import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.ListenerProtocol;
import io.sluice.decode.netflow.Ie;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.pb.FlowMessage;
import io.sluice.testing.Captures;
import io.sluice.testing.IpfixSets;
import io.sluice.testing.KafkaBroker;
import io.sluice.testing.MetricsScrape;
import io.sluice.testing.SharedKafka;
import io.sluice.testing.TemplateMessage;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * templates.share between nodes that share nothing but the Kafka broker (each service has its own
 * decoders, template store, sockets and metrics; two ports stand for two machines): softflowd's IPFIX
 * capture is split into its template sets and its data sets, the templates go only to A, the data
 * only to B, and B delivers every flow the offline decoders give for the whole capture. A template
 * redefinition sent to B is applied on A; then A stops and a fresh C, empty, decodes the data at once.
 * Also prints (never asserts) the delay from a template reaching A to B having applied it, and the
 * Kafka bytes per template.
 */
@ExtendWith(SharedKafka.class)
class TemplateShareTest {
    private static final InetAddress EXPORTER = addr(127, 0, 0, 20);
    private static final String FLOWS = "share-flows";
    private static final String TEMPLATES = "share-templates";

    private static InetAddress addr(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static SluiceConfig config(KafkaBroker kafka) throws Exception {
        return ConfigLoader.load(new String[] {
                "--config", "/dev/null",
                "--listeners[0].address=127.0.0.1:0", "--listeners[0].workers=1", "--listeners[0].steering=random",
                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(), "--kafka.topic=" + FLOWS, "--kafka.counters-topic=" + FLOWS, "--kafka.drops-topic=" + FLOWS,
                "--metrics.listen=127.0.0.1:0", "--batching.max-age=20ms",
                "--templates.share.enabled=true", "--templates.share.topic=" + TEMPLATES,
                "--templates.share.create-topic=true", "--templates.share.startup-wait=20s"});
    }

    /** Flows the decoders give offline for the whole capture, in order: what `sluice decode` counts. */
    private static long offlineFlows(SluiceConfig config, List<byte[]> payloads) {
        DatagramDecoder decoder = new StandardDecoders(config).newDecoder(ListenerProtocol.AUTO);
        long[] n = {0};
        FlowSink sink = new FlowSink() {
            @Override
            public void flow(FlowRecord f) {
                n[0]++;
            }
        };
        Datagram d = new Datagram(0);
        for (byte[] p : payloads) {
            d.buffer = ByteBuffer.wrap(p);
            d.length = p.length;
            d.setExporter(EXPORTER.getAddress(), 40000);
            d.timeReceivedNs = System.currentTimeMillis() * 1_000_000L;
            decoder.decode(d, sink, new DecodeStats());
        }
        return n[0];
    }

    private static MetricsScrape scrape(SluiceService s) throws Exception {
        return MetricsScrape.get("http://127.0.0.1:" + s.metricsPort());
    }

    private static long await(SluiceService s, String metric, long atLeast, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long v;
        while ((v = scrape(s).sum(metric)) < atLeast && System.nanoTime() < deadline) Thread.sleep(2);
        return v;
    }

    @Test
    void templatesLearntOnOneNodeDecodeDataOnAnother(KafkaBroker kafka) throws Exception {
        kafka.createTopic(FLOWS, 1);
        List<byte[]> capture = CaptureReader.readAll(List.of(Captures.bench().resolve("softflowd-ipfix.pcap")))
                .stream().map(CapturedDatagram::payload).toList();
        List<byte[]> templates = new ArrayList<>(), data = new ArrayList<>();
        for (byte[] m : capture) {
            assertEquals(10, ByteBuffer.wrap(m).getShort(0), "an IPFIX capture");
            byte[] t = IpfixSets.only(m, IpfixSets::template);
            byte[] d = IpfixSets.only(m, IpfixSets::data);
            if (t != null) templates.add(t);
            if (d != null) data.add(d);
        }
        SluiceConfig config = config(kafka);
        long expected = offlineFlows(config, capture);
        System.out.printf("softflowd-ipfix.pcap: %d datagrams, %d with template sets, %d with data sets, %d flows%n",
                capture.size(), templates.size(), data.size(), expected);
        assertTrue(expected > 0 && !templates.isEmpty());
        long domain = Integer.toUnsignedLong(ByteBuffer.wrap(templates.get(0)).getInt(12));
        int templateId = ByteBuffer.wrap(templates.get(0)).getShort(20) & 0xffff;

        try (SluiceService a = SluiceService.start(config); SluiceService b = SluiceService.start(config)) {
            // the templates, only to A; B applies what A publishes
            long t0 = System.nanoTime();
            Replayer.send(templates, a.listenerAddress(0), EXPORTER, 500, 1);
            long learntByA = await(a, "sluice_template_share_published_total", 1, Duration.ofSeconds(20));
            long appliedOnB = await(b, "sluice_template_share_applied_total", learntByA, Duration.ofSeconds(20));
            System.out.printf("templates sent to A: A published %d changes, B applied %d, %d ms after the first was sent%n",
                    learntByA, appliedOnB, (System.nanoTime() - t0) / 1_000_000);
            assertTrue(appliedOnB >= learntByA && learntByA > 0, "B applied what A published");
            Thread.sleep(300); // B's worker decodes injected template messages when idle

            // the data, only to B
            Replayer.send(data, b.listenerAddress(0), EXPORTER, 500, 1);
            assertEquals(expected, kafka.awaitRecordCount(FLOWS, expected, Duration.ofSeconds(30)), "B delivers every flow");
            MetricsScrape mb = scrape(b);
            assertEquals(0, mb.sum("sluice_decode_errors_total", "reason", "unknown_template"));
            assertEquals(0, mb.sum("sluice_pending_template_expired_total"));
            assertEquals(expected, mb.sum("sluice_flows_decoded_total"));
            assertEquals(0, scrape(a).sum("sluice_flows_decoded_total"), "A saw no data");
            assertEquals(0, mb.sum("sluice_template_share_errors_total"));

            // a redefinition of the capture's template id sent to B (a later export time) is applied on A:
            // A then decodes data in the new layout
            long now = System.currentTimeMillis() / 1000;
            byte[] redefinition = TemplateMessage.ipfix(domain, now, 1)
                    .templateSet(templateId, TemplateMessage.field(Ie.SOURCE_IPV4_ADDRESS, 4),
                            TemplateMessage.field(Ie.DESTINATION_IPV4_ADDRESS, 4), TemplateMessage.field(Ie.OCTET_DELTA_COUNT, 8))
                    .build();
            long appliedOnA = scrape(a).sum("sluice_template_share_applied_total");
            long ownOnA = scrape(a).sum("sluice_template_share_ignored_own_total");
            Replayer.send(List.of(redefinition), b.listenerAddress(0), EXPORTER, 0, 1);
            assertEquals(appliedOnA + 1, await(a, "sluice_template_share_applied_total", appliedOnA + 1, Duration.ofSeconds(20)));
            assertTrue(ownOnA >= learntByA, "A ignored its own records read back: " + ownOnA);
            Thread.sleep(300);
            TemplateMessage newData = TemplateMessage.ipfix(domain, now, 2).set(templateId);
            newData.body().put(new byte[] {10, 9, 9, 9}).put(new byte[] {10, 8, 8, 8}).putLong(4242);
            Replayer.send(List.of(newData.build()), a.listenerAddress(0), EXPORTER, 0, 1);
            assertEquals(expected + 1, kafka.awaitRecordCount(FLOWS, expected + 1, Duration.ofSeconds(30)));
            List<ConsumerRecord<byte[], byte[]>> all = kafka.readAll(FLOWS);
            FlowMessage last = FlowMessage.parseDelimitedFrom(new java.io.ByteArrayInputStream(all.get(all.size() - 1).value())); // goflow2 v2 framing
            assertTrue(last.getSrcAddr().endsWith(com.google.protobuf.ByteString.copyFrom(new byte[] {10, 9, 9, 9})),
                    "decoded on A with B's redefinition: " + last);
            assertEquals(4242, last.getBytes());
            assertEquals(0, scrape(a).sum("sluice_decode_errors_total", "reason", "unknown_template"));

            measure(a, b, domain);
        }

        // A and B gone; a fresh C (empty) reads the topic before serving: the data decodes at once
        long before = kafka.recordCount(FLOWS);
        SluiceConfig back = config(kafka);
        try (SluiceService c = SluiceService.start(back)) {
            MetricsScrape mc = scrape(c);
            assertTrue(mc.sum("sluice_template_share_applied_total") > 0, "C applied the topic before serving");
            assertEquals(0, mc.sum("sluice_pending_template_sets"));
            // C holds the redefined template id now (the topic's newest); send it data in the capture's
            // other templates plus one record in the redefined layout
            TemplateMessage newData = TemplateMessage.ipfix(domain, System.currentTimeMillis() / 1000, 3).set(templateId);
            newData.body().put(new byte[] {10, 7, 7, 7}).put(new byte[] {10, 8, 8, 8}).putLong(77);
            Replayer.send(List.of(newData.build()), c.listenerAddress(0), EXPORTER, 0, 1);
            assertEquals(before + 1, kafka.awaitRecordCount(FLOWS, before + 1, Duration.ofSeconds(30)));
            mc = scrape(c);
            assertEquals(0, mc.sum("sluice_decode_errors_total", "reason", "unknown_template"));
            assertEquals(0, mc.sum("sluice_pending_template_expired_total"));
            assertEquals(1, mc.sum("sluice_flows_decoded_total"));
        }
    }

    /** Figures for the report (not asserted): per new template, A's receipt to B's apply, and Kafka bytes. */
    private static void measure(SluiceService a, SluiceService b, long domain) throws Exception {
        int n = 30;
        long[] delays = new long[n];
        long bytes0 = scrape(a).sum("sluice_template_share_published_bytes_total");
        long pub0 = scrape(a).sum("sluice_template_share_published_total");
        for (int i = 0; i < n; i++) {
            long applied = scrape(b).sum("sluice_template_share_applied_total");
            byte[] t = TemplateMessage.ipfix(domain, System.currentTimeMillis() / 1000, 10 + i)
                    .templateSet(40000 + i, TemplateMessage.field(Ie.SOURCE_IPV4_ADDRESS, 4),
                            TemplateMessage.field(Ie.DESTINATION_IPV4_ADDRESS, 4), TemplateMessage.field(Ie.OCTET_DELTA_COUNT, 8),
                            TemplateMessage.field(Ie.PACKET_DELTA_COUNT, 8))
                    .build();
            long t0 = System.nanoTime();
            Replayer.send(List.of(t), a.listenerAddress(0), EXPORTER, 0, 1);
            await(b, "sluice_template_share_applied_total", applied + 1, Duration.ofSeconds(20));
            delays[i] = (System.nanoTime() - t0) / 1000;
        }
        long bytes = scrape(a).sum("sluice_template_share_published_bytes_total") - bytes0;
        long pub = scrape(a).sum("sluice_template_share_published_total") - pub0;
        Arrays.sort(delays);
        System.out.printf("template share figures: %d new templates (4 fields) sent to A; A's receipt to B's apply: "
                        + "median %.1f ms, p90 %.1f ms, max %.1f ms (metrics polled over HTTP); Kafka bytes per template "
                        + "(key+value+headers, before batching and protocol overhead): %.1f%n",
                n, delays[n / 2] / 1000.0, delays[n * 9 / 10] / 1000.0, delays[n - 1] / 1000.0, pub == 0 ? 0.0 : (double) bytes / pub);
    }
}

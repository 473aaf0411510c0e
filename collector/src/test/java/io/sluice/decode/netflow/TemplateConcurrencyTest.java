package io.sluice.decode.netflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.testing.Captures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One exporter's templates and data decoded by different worker threads (own decoders, one shared
 * store), as eBPF spraying makes happen: data first, template later, or both at once. No flow may be
 * lost and no parked set may be left behind.
 */
class TemplateConcurrencyTest {
    private static final int ROUNDS = 400;
    /** Data datagrams per round: a few when strictly data-first, many when racing (the template then lands mid-stream). */
    private static final int DATA_COPIES_ORDERED = 3;
    private static final int DATA_COPIES_RACING = 40;

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterAll
    static void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    void netflowV9DataBeforeTemplateOnAnotherThread() throws Exception {
        Path dir = Captures.captures().resolve("goflow2");
        // Template-only and data-only datagrams of one Cisco exporter (21 records in the data one).
        run(read(dir.resolve("nfv9-template260.bin")), read(dir.resolve("nfv9-data260.bin")), 21);
    }

    @Test
    void ipfixDataBeforeTemplateOnAnotherThread() throws Exception {
        Path dir = Captures.captures().resolve("akvorado/netflow");
        // ipfixprobe: templates in one datagram, 4 biflow records (6 flows) in the other.
        run(read(dir.resolve("ipfixprobe-templates.pcap")), read(dir.resolve("ipfixprobe-data.pcap")), 6);
    }

    private static byte[] read(Path file) throws IOException {
        List<CapturedDatagram> datagrams = CaptureReader.read(file);
        assertEquals(1, datagrams.size(), file.toString());
        return datagrams.getFirst().payload();
    }

    /**
     * Per round: a fresh store; thread 1 decodes data datagrams, thread 2 the template datagram. Even
     * rounds are strictly adversarial (all data decoded, and parked, before the template thread starts);
     * odd rounds start both together on a barrier so the template lands amid a stream of data, racing
     * the park/learn handshake (a data set parked just after the learner looked for parked sets).
     */
    private static void run(byte[] template, byte[] data, int flowsPerData) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            NetflowDecoders decoders = new NetflowDecoders(NetflowConfig.defaults());
            Worker dataWorker = new Worker(decoders);
            Worker templateWorker = new Worker(decoders);
            boolean dataFirst = round % 2 == 0;
            int copies = dataFirst ? DATA_COPIES_ORDERED : DATA_COPIES_RACING;
            CyclicBarrier start = new CyclicBarrier(2);
            CountDownLatch dataDone = new CountDownLatch(1);
            Future<?> a = pool.submit(() -> {
                start.await();
                for (int i = 0; i < copies; i++) dataWorker.decode(data);
                dataDone.countDown();
                return null;
            });
            Future<?> b = pool.submit(() -> {
                start.await();
                if (dataFirst) dataDone.await();
                templateWorker.decode(template);
                return null;
            });
            a.get(10, TimeUnit.SECONDS);
            b.get(10, TimeUnit.SECONDS);

            long flows = dataWorker.flows + templateWorker.flows;
            assertEquals((long) copies * flowsPerData, flows, "round " + round + " (data first: " + dataFirst
                    + "): flows decoded by the data thread " + dataWorker.flows + ", by the template thread "
                    + templateWorker.flows);
            assertEquals(0, decoders.templateStore().pendingSets(), "round " + round);
            assertEquals(0, decoders.templateStore().expiredSets(), "round " + round);
            assertEquals(0, dataWorker.stats.totalErrors() + templateWorker.stats.totalErrors(), "round " + round);
            if (dataFirst) {
                // Everything waited for the template, and was decoded by the thread that learnt it.
                assertEquals(0, dataWorker.flows, "round " + round);
            }
        }
    }

    /** One worker: its own decoders, datagram holder, stats and counting sink; the store is shared. */
    private static final class Worker implements FlowSink {
        final DatagramDecoder decoder;
        final Datagram datagram = new Datagram(ByteBuffer.allocate(0));
        final DecodeStats stats = new DecodeStats();
        long flows;

        Worker(NetflowDecoders decoders) {
            this.decoder = new VersionDispatch(null, decoders.newNetflowV5(), decoders.newNetflowV9(), decoders.newIpfix());
            datagram.setExporter(new byte[] {(byte) 192, 0, 2, 7}, 2055);
        }

        void decode(byte[] payload) {
            datagram.buffer = ByteBuffer.wrap(payload);
            datagram.length = payload.length;
            datagram.timeReceivedNs = System.currentTimeMillis() * 1_000_000L;
            decoder.decode(datagram, this, stats);
        }

        @Override
        public void flow(FlowRecord flow) {
            // The flow must be complete, whichever thread decoded it.
            if (!flow.srcAddr.isSet() || flow.exporterAddress.length != 4 || flow.exporterPort != 2055) {
                throw new AssertionError("incomplete flow from a parked set");
            }
            flows++;
        }
    }
}

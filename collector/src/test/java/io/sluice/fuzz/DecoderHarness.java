package io.sluice.fuzz;

import io.sluice.decode.Datagram;
import io.sluice.decode.DatagramDecoder;
import io.sluice.decode.DecodeStats;
import io.sluice.flow.FlowJson;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import io.sluice.flow.pb.CounterMessage;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Runs datagrams through a decoder as a worker would, and fails the fuzz input if the decoder breaks its
 * contract (DEVELOPERS.md, hot-path rules): it never throws, and every flow it emits is a whole record
 * (written out as JSON, so that a value no formatter expects shows up too).
 */
final class DecoderHarness {
    private static final byte[] EXPORTER = {(byte) 192, 0, 2, 1};

    private DecoderHarness() {}

    static long decode(DatagramDecoder decoder, List<ByteBuffer> datagrams) {
        DecodeStats stats = new DecodeStats();
        StringBuilder json = new StringBuilder(1024);
        long[] flows = {0};
        FlowSink sink = new FlowSink() {
            @Override
            public void flow(FlowRecord flow) {
                json.setLength(0);
                FlowJson.append(flow, json);
                flows[0]++;
            }

            @Override
            public void counters(CounterMessage counters) {
                counters.getSerializedSize();
            }
        };
        Datagram d = new Datagram(0);
        long time = 1_700_000_000_000_000_000L;
        for (ByteBuffer b : datagrams) {
            d.buffer = b.order(java.nio.ByteOrder.BIG_ENDIAN);
            d.length = b.remaining();
            d.setExporter(EXPORTER, 50000);
            d.timeReceivedNs = time;
            time += 1_000_000_000L;
            decoder.decode(d, sink, stats);
        }
        return flows[0];
    }
}

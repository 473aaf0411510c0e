package io.sluice.bench;

import io.sluice.capture.CaptureReader;
import io.sluice.capture.CapturedDatagram;
import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.decode.netflow.NetflowConfig;
import io.sluice.decode.netflow.NetflowDecoders;
import io.sluice.decode.sflow.SflowDecoder;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * Flows per datagram of a capture as a looping replayer delivers it (make bench): the capture is
 * decoded twice by one decoder and the second pass is counted, so the templates sent late in the
 * file are known from the start, as they are for a collector that has seen the loop once.
 *
 * <p>Prints one JSON line per file: {@code {"file":"...","datagrams":N,"flows":M,"errors":E,"per_datagram":[...]}},
 * the last being the flows of each datagram in file order, so the bench knows exactly how many flows
 * the first K datagrams of a replay loop carry.
 * Run: {@code java -cp <test classpath> io.sluice.bench.CaptureFlowCount FILE...}.
 */
public final class CaptureFlowCount {
    private CaptureFlowCount() {
    }

    public static void main(String[] args) throws Exception {
        for (String file : args) {
            List<CapturedDatagram> captured = CaptureReader.read(Path.of(file));
            NetflowDecoders netflow = new NetflowDecoders(NetflowConfig.defaults());
            VersionDispatch decoder = new VersionDispatch(new SflowDecoder(), netflow.newNetflowV5(), netflow.newNetflowV9(),
                    netflow.newIpfix());
            Datagram datagram = new Datagram(ByteBuffer.allocate(0));
            DecodeStats warm = new DecodeStats();
            DecodeStats counted = new DecodeStats();
            StringBuilder perDatagram = new StringBuilder();
            for (DecodeStats stats : new DecodeStats[] {warm, counted}) {
                for (CapturedDatagram c : captured) {
                    long before = stats.totalFlows();
                    byte[] payload = c.payload();
                    datagram.buffer = ByteBuffer.wrap(payload);
                    datagram.length = payload.length;
                    datagram.setExporter(c.sourceAddress(), c.sourcePort());
                    datagram.timeReceivedNs = c.timestampNanos();
                    decoder.decode(datagram, flow -> { }, stats);
                    if (stats == counted) {
                        perDatagram.append(perDatagram.isEmpty() ? "" : ",").append(stats.totalFlows() - before);
                    }
                }
            }
            System.out.printf("{\"file\":\"%s\",\"datagrams\":%d,\"flows\":%d,\"errors\":%d,\"per_datagram\":[%s]}%n",
                    Path.of(file).getFileName(), captured.size(), counted.totalFlows(), counted.totalErrors(), perDatagram);
        }
    }
}

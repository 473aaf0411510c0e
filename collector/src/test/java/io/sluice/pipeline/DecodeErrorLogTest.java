package io.sluice.pipeline;

import io.sluice.decode.Datagram;
import io.sluice.decode.DecodeError;
import io.sluice.decode.DecodeStats;
import io.sluice.decode.VersionDispatch;
import io.sluice.flow.FlowRecord;
import io.sluice.flow.FlowSink;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class DecodeErrorLogTest {

    @Test
    void statsRememberTheLatestReasonAndTheTotal() {
        DecodeStats stats = new DecodeStats();
        assertNull(stats.lastError());
        VersionDispatch onlyDispatch = new VersionDispatch(null, null, null, null);
        FlowSink none = new FlowSink() {
            @Override
            public void flow(FlowRecord flow) {}
        };
        Datagram d = new Datagram(ByteBuffer.wrap(new byte[] {0, 9, 0, 0, 0, 0}));
        d.length = 6;
        onlyDispatch.decode(d, none, stats); // NetFlow v9 refused: no decoder
        d.length = 2;
        onlyDispatch.decode(d, none, stats);
        assertEquals(2, stats.errorTotal());
        assertEquals(DecodeError.TRUNCATED, stats.lastError());
        assertEquals(1, stats.errors(DecodeError.BAD_VERSION));
    }

    @Test
    void aFloodOfMalformedDatagramsLogsOneLine() {
        DecodeErrorLog log = new DecodeErrorLog("test/0");
        Datagram d = new Datagram(ByteBuffer.wrap(new byte[4]));
        d.setExporter(new byte[] {127, 0, 0, 1}, 9999);
        int logged = 0;
        for (int i = 0; i < 100_000; i++) {
            if (log.failed(d, i % 2 == 0 ? DecodeError.TRUNCATED : null)) logged++;
        }
        assertEquals(1, logged, "one line per interval, the rest only counted");
    }
}

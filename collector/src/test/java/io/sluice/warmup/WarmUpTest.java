package io.sluice.warmup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sluice.config.ConfigLoader;
import io.sluice.config.SluiceConfig;
import io.sluice.decode.ListenerProtocol;
import io.sluice.output.FlowBatch;
import io.sluice.service.StandardDecoders;
import io.sluice.testing.DecodeHarness;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The warm-up's datagrams are what the specs say (decoded without one error, every value where it was put), and a warm-up touches only its own state. */
class WarmUpTest {

    @Test
    void everySyntheticDatagramDecodesAsBuilt() {
        DecodeHarness h = new DecodeHarness();
        List<Map<String, Object>> flows = h.feed(SyntheticExports.all(2).stream().map(SyntheticExports.Export::bytes).toArray(byte[][]::new));
        // per round: IPFIX v4 + v6 data sets (20 + 20), v9 v4 + v6 (20 + 20), v5 (30), sFlow (8 samples)
        assertEquals(2 * (20 + 20 + 20 + 20 + 30 + 8), flows.size());
        assertEquals(0, h.stats().totalErrors(), "decode errors");
        assertEquals(0, h.stats().skipped().total(), "skipped records");
        for (Map<String, Object> f : flows) {
            assertTrue(((Number) f.get("time_flow_start_ns")).longValue() > 0, "a start time: " + f);
            assertTrue(((Number) f.get("time_flow_end_ns")).longValue() >= ((Number) f.get("time_flow_start_ns")).longValue(), f.toString());
            assertTrue(((Number) f.get("bytes")).longValue() > 0 && ((Number) f.get("packets")).longValue() > 0, f.toString());
        }
        Map<String, Object> first = flows.getFirst(); // IPFIX IPv4, record 0
        assertEquals("IPFIX", first.get("type"));
        assertEquals("10.0.0.0", first.get("src_addr"));
        assertEquals("198.51.100.0", first.get("dst_addr"));
        assertEquals(6, ((Number) first.get("proto")).intValue());
        assertEquals(443, ((Number) first.get("dst_port")).intValue());
        assertEquals(64496, ((Number) first.get("src_as")).intValue());
        long sflow = flows.stream().filter(f -> "SFLOW_5".equals(f.get("type"))).count();
        assertEquals(16, sflow);
        Map<String, Object> sample = flows.stream().filter(f -> "SFLOW_5".equals(f.get("type"))).findFirst().orElseThrow();
        assertEquals(1000, ((Number) sample.get("sampling_rate")).intValue());
        assertEquals(1500, ((Number) sample.get("bytes")).intValue(), "sFlow bytes: the frame length");
        assertEquals(443, ((Number) sample.get("dst_port")).intValue());
        assertEquals(2 * (20 + 20), flows.stream().filter(f -> String.valueOf(f.get("src_addr")).startsWith("2001:db8:0:1b::")).count(),
                "IPv6 records (IPFIX and v9) carry their address");
    }

    @Test
    void aWarmUpRunsForItsBudgetOnPrivateState() throws Exception {
        SluiceConfig config = ConfigLoader.load(new String[0]);
        StandardDecoders live = new StandardDecoders(config);
        WarmUp.Result r = WarmUp.run(config, List.of(ListenerProtocol.AUTO, ListenerProtocol.IPFIX),
                new StandardDecoders(config)::newDecoder, FlowBatch.Encoding.PROTOBUF, Duration.ofMillis(300));
        assertTrue(r.took().toMillis() >= 300, "ran for its budget: " + r);
        assertTrue(r.datagrams() > 1000 && r.flows() > 10_000, r.toString());
        assertEquals(0, live.templateStats().templates(), "the live store learnt nothing");
        assertEquals(0, r.errors(), "each pipeline gets only what its listener accepts, and all of it decodes");
    }
}

package io.sluice.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.flow.FlowRecord;
import io.sluice.output.BackpressurePolicy;
import io.sluice.output.FlowBatch;
import io.sluice.output.KafkaOutput;
import io.sluice.output.KafkaSettings;
import io.sluice.output.PartitionKey;
import io.sluice.output.RecordFraming;
import io.sluice.output.WorkerOutput;
import io.sluice.testing.KafkaBroker;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The producer path alone, variants interleaved in one JVM (issue 13: "one change at a time, old vs new,
 * keep what pays"): one worker thread sends 64-flow batches of a typical IPFIX flow through
 * {@link KafkaOutput} (policy block, so a full buffer waits instead of dropping) to a real KRaft broker in
 * this JVM, for {@code seconds} per variant, round after round, each variant its own topic of one
 * partition (one exporter, as in make bench). Reported per variant: the median over rounds of the flows
 * per second acknowledged (the two cores shared by the worker, the producer's sender and the broker, as
 * in make bench) and of the worker thread's CPU per flow. No UDP and no decoding: what is measured is what
 * one flow costs from a worker's batch to the broker's log.
 *
 * <p>Run: {@code bin/bench --phases producer} (tools/bench), or by hand
 * {@code java -cp <test classpath> io.sluice.bench.KafkaSendAB [seconds] [rounds] [out.json] [variant,variant,...]}.
 */
public final class KafkaSendAB {
    private static final int FLOWS_PER_BATCH = 64;

    /** One variant: producer properties over the defaults, and the flows per record. */
    record Variant(String name, Map<String, String> producer, int flowsPerRecord) {}

    static final List<Variant> VARIANTS = List.of(
            new Variant("defaults", Map.of(), 1),
            new Variant("batch-1MiB-linger-20ms", Map.of("batch.size", "1048576", "linger.ms", "20"), 1),
            new Variant("batch-960KiB", Map.of("batch.size", "983040"), 1),
            new Variant("linger-20ms", Map.of("linger.ms", "20"), 1),
            new Variant("compression-none", Map.of("compression.type", "none"), 1),
            new Variant("acks-1-no-idempotence", Map.of("acks", "1", "enable.idempotence", "false"), 1),
            new Variant("flows-per-record-32", Map.of(), 32));

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path out = args.length > 2 ? Path.of(args[2]) : null;
        List<Variant> variants = args.length > 3 ? select(args[3]) : VARIANTS;
        FlowBatch batch = typicalBatch();
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        try (KafkaBroker broker = KafkaBroker.start()) {
            List<KafkaOutput> outputs = new ArrayList<>();
            List<WorkerOutput> workers = new ArrayList<>();
            for (Variant v : variants) {
                String topic = "ab-" + v.name();
                broker.createTopic(topic, 1);
                outputs.add(KafkaOutput.open(settings(broker, topic, v)));
                workers.add(outputs.getLast().forWorker("ab", 0));
                results.put(v.name(), new ArrayList<>());
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            for (int round = 0; round <= rounds; round++) { // round 0 warms every variant up and is not counted
                for (int i = 0; i < variants.size(); i++) {
                    double[] r = measure(outputs.get(i), workers.get(i), batch, seconds, threads);
                    if (round > 0) results.get(variants.get(i).name()).add(r);
                    System.out.printf("round %d %-26s %,12.0f flows/s %8.0f ns CPU/flow (worker)%n",
                            round, variants.get(i).name(), r[0], r[1]);
                }
            }
            for (KafkaOutput o : outputs) o.close(Duration.ofSeconds(30));
        }
        String json = report(results, seconds, rounds);
        System.out.println(json);
        if (out != null) Files.writeString(out, json);
    }

    /** The variants named in a comma-separated list, in the list's order. */
    private static List<Variant> select(String names) {
        List<Variant> chosen = new ArrayList<>();
        for (String name : names.split(",")) {
            chosen.add(VARIANTS.stream().filter(v -> v.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no variant " + name + "; known: "
                            + VARIANTS.stream().map(Variant::name).toList())));
        }
        return chosen;
    }

    private static KafkaSettings settings(KafkaBroker broker, String topic, Variant v) {
        return new KafkaSettings(broker.bootstrapServers(), topic, topic, topic, v.producer(), PartitionKey.EXPORTER,
                BackpressurePolicy.BLOCK, Duration.ofSeconds(30)).withFraming(RecordFraming.LENGTH_DELIMITED, v.flowsPerRecord());
    }

    /** {flows/s acknowledged, worker CPU ns per flow} for {@code seconds} of sends and the flush after them. */
    private static double[] measure(KafkaOutput output, WorkerOutput worker, FlowBatch batch, int seconds,
            ThreadMXBean threads) {
        long sentBefore = worker.stats().flowsSent();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        long flows = 0;
        while (System.nanoTime() < end) {
            worker.send(batch);
            flows += batch.size();
        }
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        output.flush(Duration.ofSeconds(60));
        double wall = (System.nanoTime() - t0) / 1e9;
        long acknowledged = worker.stats().flowsSent() - sentBefore;
        if (acknowledged != flows) {
            throw new IllegalStateException(output + ": " + acknowledged + " of " + flows + " flows acknowledged");
        }
        return new double[] {acknowledged / wall, (double) cpu / flows};
    }

    /** 64 copies of a typical IPv4 IPFIX flow (~20 fields, as FlowEncodeBenchmark) of one exporter. */
    static FlowBatch typicalBatch() {
        FlowRecord flow = FlowEncodeBenchmark.typicalFlow();
        FlowBatch batch = new FlowBatch(FLOWS_PER_BATCH, PartitionKey.EXPORTER);
        for (int i = 0; i < FLOWS_PER_BATCH; i++) {
            flow.sequenceNum = i;
            batch.add(flow, 0);
        }
        return batch;
    }

    /** The JSON under target/bench/ (schema in docs/bench.md, "producer"). */
    private static String report(Map<String, List<double[]>> results, int seconds, int rounds) throws IOException {
        List<Map<String, Object>> variants = new ArrayList<>();
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            double[] rate = e.getValue().stream().mapToDouble(r -> r[0]).sorted().toArray();
            double[] cpu = e.getValue().stream().mapToDouble(r -> r[1]).sorted().toArray();
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("name", e.getKey());
            v.put("flows_per_s_median", Math.round(median(rate)));
            v.put("flows_per_s_min", Math.round(rate[0]));
            v.put("flows_per_s_max", Math.round(rate[rate.length - 1]));
            v.put("worker_cpu_ns_per_flow_median", tenths(median(cpu)));
            v.put("worker_cpu_ns_per_flow_min", tenths(cpu[0]));
            v.put("worker_cpu_ns_per_flow_max", tenths(cpu[cpu.length - 1]));
            variants.add(v);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("schema", "sluice-kafka-send-ab/1");
        report.put("seconds_per_round", seconds);
        report.put("rounds", rounds);
        report.put("variants", variants);
        return new ObjectMapper().writeValueAsString(report);
    }

    private static double tenths(double x) {
        return Math.round(x * 10) / 10.0;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private KafkaSendAB() {}
}

package io.sluice.cli;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.config.ConfigException;
import io.sluice.config.ConfigLoader;
import io.sluice.config.ConfigPrinter;
import io.sluice.config.SluiceConfig;
import io.sluice.decode.ListenerProtocol;
import io.sluice.metrics.MetricsServer;
import io.sluice.metrics.ServiceMetrics;
import io.sluice.output.FlowBatch;
import io.sluice.output.KafkaOutput;
import io.sluice.output.OutputUnavailableException;
import io.sluice.service.StandardDecoders;
import io.sluice.warmup.WarmUp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The training run of the release's AOT cache ({@code bin/dist} runs it under
 * {@code -XX:AOTCacheOutput}, JDK 25's JEP 483/514/515): what {@code run} loads and links at start (the
 * configuration and its checks, the Kafka producer's configuration, the metrics server) and a warm-up
 * of every decoder, so that the classes are stored loaded and linked and the hot methods' profiles are
 * kept. A started sluice then reaches its first datagram in about a third of the time (docs/upgrade.md).
 * Hidden: not an operator's command.
 */
@Command(name = "aot-training", hidden = true, description = "The workload bin/dist records the release's AOT cache with.")
final class AotTrainingCommand implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "3", description = "how long the decoders are warmed")
    int seconds;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws ConfigException, IOException, OutputUnavailableException {
        SluiceConfig config = ConfigLoader.load(new String[0]);
        ConfigPrinter.toYaml(config); // the output is not needed: the run loads and links what --print-config uses
        KafkaOutput.checkProducerConfig(config.kafka());
        ServiceMetrics metrics = new ServiceMetrics(new PrometheusRegistry(), true);
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                metrics.registry(), () -> new MetricsServer.Health(true, ""), Map.of())) {
            WarmUp.Result r = WarmUp.run(config, List.of(ListenerProtocol.AUTO), new StandardDecoders(config)::newDecoder,
                    FlowBatch.Encoding.PROTOBUF, Duration.ofSeconds(seconds));
            spec.commandLine().getOut().printf("aot-training: %d datagrams, %d flows, %d errors in %d ms%n",
                    r.datagrams(), r.flows(), r.errors(), r.took().toMillis());
            return r.errors() == 0 ? 0 : 1;
        }
    }
}

package io.sluice.service;

import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.output.AkvoradoOutput;
import io.sluice.output.FileOutput;
import io.sluice.output.FlowBatch;
import io.sluice.output.FlowOutput;
import io.sluice.output.KafkaOutput;
import io.sluice.output.KafkaSettings;
import io.sluice.output.NoneOutput;
import java.io.IOException;

/** Opens the configured output; a Kafka broker that does not answer in time is a startup error. */
final class OutputFactory {
    private OutputFactory() {}

    static FlowOutput open(SluiceConfig config) throws ConfigException {
        SluiceConfig.Output o = config.output();
        return switch (o.type()) {
            case KAFKA -> KafkaOutput.open(kafkaSettings(config));
            case AKVORADO -> AkvoradoOutput.open(kafkaSettings(config), o.akvoradoTopic());
            case FILE -> {
                try {
                    yield new FileOutput(o.filePath(), o.countersPath(), o.fileFormat(), o.framing(), o.jsonStyle());
                } catch (IOException e) {
                    throw new ConfigException("output.file.path", "cannot open " + o.filePath() + ": " + e.getMessage());
                }
            }
            case NONE -> new NoneOutput();
        };
    }

    private static KafkaSettings kafkaSettings(SluiceConfig config) {
        SluiceConfig.Kafka k = config.kafka();
        return new KafkaSettings(k.bootstrapServers(), k.topic(), k.countersTopic(), k.producer(), k.partitionKey(),
                config.backpressure(), k.startupTimeout(), config.output().framing(), k.flowsPerRecord());
    }

    static FlowBatch.Encoding batchEncoding(FlowOutput output) {
        return output instanceof FileOutput f ? f.batchEncoding() : FlowBatch.Encoding.PROTOBUF;
    }
}

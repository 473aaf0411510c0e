package io.sluice.service;

import io.sluice.config.ConfigException;
import io.sluice.config.SluiceConfig;
import io.sluice.output.AkvoradoOutput;
import io.sluice.output.FileOutput;
import io.sluice.output.FlowBatch;
import io.sluice.output.FlowOutput;
import io.sluice.output.KafkaOutput;
import io.sluice.output.OutputSettings;
import io.sluice.output.OutputUnavailableException;
import io.sluice.output.NoneOutput;
import java.io.IOException;

/**
 * Opens the configured output; a Kafka broker that does not answer in time is a startup error. The outputs
 * name their own settings; here they become configuration keys ({@code kafka.topic}, {@code output.file.path}).
 */
final class OutputFactory {
    private OutputFactory() {}

    static FlowOutput open(SluiceConfig config) throws ConfigException {
        OutputSettings o = config.output();
        return switch (o.type()) {
            case KAFKA -> {
                try {
                    yield KafkaOutput.open(config.kafka(), o.spool());
                } catch (OutputUnavailableException e) {
                    throw new ConfigException(key(e), e.getMessage());
                }
            }
            case AKVORADO -> {
                try {
                    yield AkvoradoOutput.open(config.kafka(), o.akvoradoTopic(), o.spool());
                } catch (OutputUnavailableException e) {
                    // the Kafka output names its topic settings; here the topic comes from output.akvorado.topic
                    boolean topic = e.setting().equals("topic") || e.setting().equals("counters-topic")
                            || e.setting().equals("drops-topic");
                    throw new ConfigException(topic ? "output.akvorado.topic" : key(e), e.getMessage());
                }
            }
            case FILE -> {
                try {
                    yield new FileOutput(o.filePath(), o.countersPath(), o.dropsPath(), o.fileFormat(), o.framing(), o.jsonStyle());
                } catch (IOException e) {
                    throw new ConfigException("output.file.path", "cannot open " + o.filePath() + ": " + e.getMessage());
                }
            }
            case NONE -> new NoneOutput();
        };
    }


    /** The Kafka output names its kafka.* settings without the prefix, and the spool's (output.spool.*) in full. */
    private static String key(OutputUnavailableException e) {
        return e.setting().startsWith("output.") ? e.setting() : "kafka." + e.setting();
    }

    static FlowBatch.Encoding batchEncoding(FlowOutput output) {
        return output instanceof FileOutput f ? f.batchEncoding() : FlowBatch.Encoding.PROTOBUF;
    }
}

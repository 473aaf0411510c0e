package io.sluice.output;

import io.sluice.flow.JsonStyle;
import io.sluice.output.spool.SpoolSettings;

/**
 * The {@code output} section: which output, the framing of protobuf messages, the file and Akvorado
 * outputs' settings.
 *
 * @param filePath file output path, {@code -} for stdout
 * @param countersPath where the file output writes sFlow counters ("" = not written)
 * @param dropsPath where the file output writes sFlow drop notifications ("" = not written)
 * @param framing how protobuf messages are laid out in Kafka records and the protobuf file (goflow2 v2: length-delimited)
 * @param jsonStyle the JSON file output's conventions
 * @param akvoradoTopic the Akvorado outlet's configured topic; records go to {@code <topic>-v5}
 * @param spool the Kafka and Akvorado outputs' disk spool ({@code output.spool}, docs/spool.md)
 */
public record OutputSettings(OutputType type, String filePath, FileOutput.Format fileFormat, String countersPath, String dropsPath,
                             RecordFraming framing, JsonStyle jsonStyle, String akvoradoTopic, SpoolSettings spool) {
    public static final OutputSettings DEFAULTS = new OutputSettings(OutputType.KAFKA, "-", FileOutput.Format.JSON, "", "",
            RecordFraming.LENGTH_DELIMITED, JsonStyle.SLUICE, "flows", SpoolSettings.DEFAULTS);

    /** Without a spool. */
    public OutputSettings(OutputType type, String filePath, FileOutput.Format fileFormat, String countersPath, String dropsPath,
                          RecordFraming framing, JsonStyle jsonStyle, String akvoradoTopic) {
        this(type, filePath, fileFormat, countersPath, dropsPath, framing, jsonStyle, akvoradoTopic, SpoolSettings.DEFAULTS);
    }
}

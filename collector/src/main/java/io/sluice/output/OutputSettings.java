package io.sluice.output;

/**
 * The {@code output} section: which output, and the file output's settings.
 *
 * @param filePath file output path, {@code -} for stdout
 * @param countersPath where the file output writes sFlow counters ("" = not written)
 */
public record OutputSettings(OutputType type, String filePath, FileOutput.Format fileFormat, String countersPath) {
    public static final OutputSettings DEFAULTS = new OutputSettings(OutputType.KAFKA, "-", FileOutput.Format.JSON, "");
}

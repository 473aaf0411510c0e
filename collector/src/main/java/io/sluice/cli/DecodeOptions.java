package io.sluice.cli;

import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;

/**
 * What `sluice decode` was asked to do, however the command line was parsed (DecodeMain, a picocli command):
 * {@link DecodeCommand} only reads this.
 *
 * @param inputs   capture files in order, "-" for standard input
 * @param ports    destination (collector) ports to decode; null decodes every UDP datagram
 * @param counters also print sFlow counter records
 * @param countOnly print only the counts object
 * @param config   the `run` configuration file whose sampling and template settings apply; null: the defaults
 * @param progress print a progress line on stderr (when stderr is a terminal)
 * @param jsonStyle sluice's JSON or goflow2's conventions
 */
public record DecodeOptions(List<String> inputs, BitSet ports, boolean counters, boolean countOnly, Path config,
                            boolean progress, io.sluice.flow.JsonStyle jsonStyle) {
    /** The input name that stands for standard input. */
    public static final String STDIN = "-";
}

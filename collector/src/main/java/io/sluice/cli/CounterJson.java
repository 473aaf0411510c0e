package io.sluice.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.sluice.flow.pb.CounterMessage;

/** sFlow counter messages as compact JSON with proto field names (off the hot path). */
final class CounterJson {
    private static final JsonFormat.Printer PRINTER =
            JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();

    private CounterJson() {}

    /** Any of sluice's side messages (counters, drop notifications). */
    static String toJson(com.google.protobuf.MessageOrBuilder message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    static String toJson(CounterMessage counters) {
        try {
            return PRINTER.print(counters);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e); // only thrown for Any types, which we do not use
        }
    }
}

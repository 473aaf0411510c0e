package io.sluice.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.cli.DecodeCommand;
import io.sluice.decode.VersionDispatch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Replays capture files through the `sluice decode` code path and parses its JSON lines back. */
public final class CaptureReplay {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CaptureReplay() {}

    public static List<Map<String, Object>> decode(VersionDispatch decoder, List<Path> files) {
        StringBuilder out = new StringBuilder();
        try {
            DecodeCommand.decode(decoder, files, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parseLines(out.toString());
    }

    public static List<Map<String, Object>> parseLines(String jsonLines) {
        List<Map<String, Object>> flows = new ArrayList<>();
        for (String line : jsonLines.split("\n")) {
            if (line.isBlank()) continue;
            try {
                flows.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() {}));
            } catch (IOException e) {
                throw new UncheckedIOException("bad JSON line: " + line, e);
            }
        }
        return flows;
    }
}

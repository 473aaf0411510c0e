package io.sluice.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Compiles an upstream project's own .proto file (../shared/reference, never copied into the repo) at
 * test time with protoc, the Maven Central artifact the build itself resolves (protobuf-maven-plugin
 * puts it in target/protoc-plugins), and loads the result as descriptors: tests then parse sluice's
 * output with the upstream schema (DynamicMessage) and compare the schemas field by field.
 */
public final class UpstreamSchema {
    private UpstreamSchema() {}

    /** The message {@code messageName} of {@code reference/<relative>}, e.g. ("goflow2/flow.proto", "FlowMessage"). */
    public static Descriptor message(String relative, String messageName) {
        FileDescriptor file = compile(Captures.reference().resolve(relative));
        Descriptor d = file.findMessageTypeByName(messageName);
        if (d == null) fail(relative + " has no message " + messageName);
        return d;
    }

    /** protoc --descriptor_set_out of one file (no imports: the upstream files have none). */
    public static FileDescriptor compile(Path proto) {
        if (!Files.isRegularFile(proto)) fail("upstream schema missing: " + proto.toAbsolutePath());
        try {
            Path out = Files.createTempFile("upstream", ".pb");
            try {
                Process p = new ProcessBuilder(protoc().toString(), "--proto_path=" + proto.getParent().toAbsolutePath(),
                        "--descriptor_set_out=" + out, proto.getFileName().toString())
                        .redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes());
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("protoc did not finish compiling " + proto);
                }
                assertEquals(0, p.exitValue(), "protoc " + proto + ": " + log);
                FileDescriptorSet set = FileDescriptorSet.parseFrom(Files.readAllBytes(out));
                assertEquals(1, set.getFileCount(), "one file compiled");
                return FileDescriptor.buildFrom(set.getFile(0), new FileDescriptor[0]);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException | DescriptorValidationException e) {
            throw new AssertionError("cannot compile " + proto + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The protoc the build downloaded from Maven Central ({@code -Dsluice.protoc=} overrides). */
    static Path protoc() throws IOException {
        String override = System.getProperty("sluice.protoc");
        if (override != null) return Path.of(override);
        Path root = Captures.sharedDir().getParent();
        for (Path dir : new Path[] {Path.of("target/protoc-plugins"), root.resolve("collector/target/protoc-plugins")}) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> files = Files.list(dir)) {
                Path exe = files.filter(f -> f.getFileName().toString().startsWith("protoc-")
                        && f.getFileName().toString().endsWith(".exe")).findFirst().orElse(null);
                if (exe != null) {
                    exe.toFile().setExecutable(true);
                    return exe;
                }
            }
        }
        throw new AssertionError("no protoc in target/protoc-plugins (the protobuf-maven-plugin compile step puts it there)");
    }
}

package io.sluice.metrics;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * Which sluice this is: the version and git revision the build wrote into {@code io/sluice/build.properties}
 * (bin/build-info, also in the jar's manifest), and the Java runtime it runs on. Shown by
 * {@code sluice --version} and exported as {@code sluice_build_info{version,revision,java} 1}.
 */
public record BuildInfo(String version, String revision, String java) {
    private static final String RESOURCE = "/io/sluice/build.properties";

    public static BuildInfo current() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // a jar without the file: say so in the values rather than fail
        }
        return new BuildInfo(p.getProperty("version", "unknown"), p.getProperty("revision", "unknown"),
                Runtime.version().toString());
    }

    /** One line, e.g. {@code sluice 0.1.0 (revision 706d516, Java 25+36-LTS)}. */
    public String line() {
        return "sluice " + version + " (revision " + revision + ", Java " + java + ")";
    }

    /** Registers {@code sluice_build_info} (an info metric: value 1, the facts in its labels). */
    public void register(PrometheusRegistry registry) {
        Info info = Info.builder()
                .name("sluice_build_info")
                .help("the running sluice's version, git revision and Java runtime")
                .labelNames("version", "revision", "java")
                .register(registry);
        info.setLabelValues(version, revision, java);
    }
}

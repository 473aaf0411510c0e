package io.sluice.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of /metrics over real HTTP, parsed enough to sum samples by name and labels. */
public final class MetricsScrape {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})?\\s+(\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private record Sample(String name, Map<String, String> labels, double value) {}

    private final String text;
    private final List<Sample> samples = new ArrayList<>();

    public MetricsScrape(String text) {
        this.text = text;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isBlank()) continue;
            Matcher m = SAMPLE.matcher(line);
            if (!m.find()) continue;
            Map<String, String> labels = new java.util.HashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) labels.put(l.group(1), l.group(2));
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
    }

    public static MetricsScrape get(String baseUrl) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IOException("/metrics answered " + r.statusCode());
        return new MetricsScrape(r.body());
    }

    public static int status(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Sum of the samples named {@code name} whose labels include all of {@code labels} (k1, v1, k2, v2...). */
    public long sum(String name, String... labels) {
        double sum = 0;
        for (Sample s : samples) {
            if (!s.name.equals(name)) continue;
            boolean match = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                if (!labels[i + 1].equals(s.labels.get(labels[i]))) match = false;
            }
            if (match) sum += s.value;
        }
        return Math.round(sum);
    }

    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name.equals(name));
    }

    public String text() {
        return text;
    }
}

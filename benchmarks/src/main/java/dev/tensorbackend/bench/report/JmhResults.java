package dev.tensorbackend.bench.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tensorbackend.network.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads JMH's JSON result file ({@code -rf json}) into {@link Measurement}s. */
public final class JmhResults {
    private JmhResults() {
    }

    public static List<Measurement> read(Path jmhJson, PrintStream log) throws IOException {
        return parse(Files.readString(jmhJson), log);
    }

    /** Every result this report knows; unknown benchmarks are named on {@code log} and left out. */
    public static List<Measurement> parse(String jmhJson, PrintStream log) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(jmhJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("JMH JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException("JMH JSON: expected an array of results");
        }
        List<Measurement> out = new ArrayList<>();
        for (JsonNode result : root) {
            String benchmark = result.path("benchmark").asText();
            JsonNode metric = result.path("primaryMetric");
            double seconds = secondsPerCall(JsonReport.number(metric.get("score")), metric.path("scoreUnit").asText());
            List<Measurement> m = BenchmarkCatalog.describe(benchmark, params(result), seconds);
            if (!m.isEmpty()) {
                out.addAll(m);
            } else {
                log.println("report: no description for " + benchmark + "; left out of the report");
            }
        }
        return out;
    }

    /**
     * Seconds per call from a JMH score: average-time units ("ms/op") directly, throughput
     * units ("ops/s") inverted.
     */
    static double secondsPerCall(double score, String unit) {
        String[] parts = unit.split("/");
        if (parts.length != 2) {
            throw new IllegalArgumentException("JMH unit '" + unit + "' is neither time/op nor op/time");
        }
        if (parts[1].equals("op")) {
            return score * secondsIn(parts[0]);
        }
        if (parts[0].equals("ops") || parts[0].equals("op")) {
            return secondsIn(parts[1]) / score;
        }
        throw new IllegalArgumentException("JMH unit '" + unit + "' is neither time/op nor op/time");
    }

    private static double secondsIn(String unit) {
        switch (unit) {
            case "s": return 1;
            case "ms": return 1e-3;
            case "us": return 1e-6;
            case "ns": return 1e-9;
            case "min": return 60;
            default: throw new IllegalArgumentException("JMH time unit '" + unit + "' unknown");
        }
    }

    private static Map<String, String> params(JsonNode result) {
        Map<String, String> params = new LinkedHashMap<>();
        result.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
        return params;
    }
}

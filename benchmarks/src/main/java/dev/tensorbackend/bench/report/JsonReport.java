package dev.tensorbackend.bench.report;

import java.util.List;
import java.util.Locale;

/**
 * {@code bench-report.json}: the notes, then one object per measurement with op, variant,
 * backend, size, shape, seconds and either gflops or gbps.
 */
final class JsonReport {
    private JsonReport() {
    }

    static String render(List<Measurement> measurements, List<String> notes) {
        StringBuilder json = new StringBuilder("{\n  \"notes\": [");
        for (int i = 0; i < notes.size(); i++) {
            json.append(i == 0 ? "\n    " : ",\n    ").append(Json.quote(notes.get(i)));
        }
        json.append(notes.isEmpty() ? "],\n" : "\n  ],\n").append("  \"measurements\": [");
        for (int i = 0; i < measurements.size(); i++) {
            Measurement m = measurements.get(i);
            json.append(i == 0 ? "\n    {" : ",\n    {")
                    .append("\"op\": ").append(Json.quote(m.op()))
                    .append(", \"variant\": ").append(Json.quote(m.variant()))
                    .append(", \"backend\": ").append(Json.quote(m.backend()))
                    .append(", \"size\": ").append(Json.quote(m.size()))
                    .append(", \"shape\": ").append(Json.quote(m.shape()))
                    .append(", \"seconds\": ").append(number(m.seconds()))
                    .append(m.work().isCompute() ? ", \"gflops\": " : ", \"gbps\": ").append(number(m.throughput()))
                    .append('}');
        }
        json.append(measurements.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
        return json.toString();
    }

    /** JSON has no NaN or infinity: those (a broken measurement) are written as null. */
    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }
}

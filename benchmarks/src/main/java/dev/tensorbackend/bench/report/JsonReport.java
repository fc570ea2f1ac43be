package dev.tensorbackend.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tensorbackend.network.Json;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench-report.json}: the notes, then one object per measurement with op, variant,
 * backend, size, shape, seconds and either gflops or gbps; one note and one measurement a line.
 */
final class JsonReport {
    private JsonReport() {
    }

    static String render(List<Measurement> measurements, List<String> notes) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode noteArray = root.putArray("notes");
        notes.forEach(noteArray::add);
        ArrayNode rows = root.putArray("measurements");
        for (Measurement m : measurements) {
            ObjectNode o = rows.addObject();
            o.put("op", m.op());
            o.put("variant", m.variant());
            o.put("backend", m.backend());
            o.put("size", m.size());
            o.put("shape", m.shape());
            o.putRawValue("seconds", number(m.seconds()));
            o.putRawValue(m.work().isCompute() ? "gflops" : "gbps", number(m.throughput()));
        }
        return Json.write(root, "  ", 1, 2) + "\n";
    }

    /**
     * Six significant digits (more would be noise in a timing); JSON has no NaN or infinity, so
     * those (a broken measurement) are written as null.
     */
    static RawValue number(double v) {
        return new RawValue(Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null");
    }

    /** A JSON number, or a string holding one (JMH writes NaN as "NaN"), as a double. */
    static double number(JsonNode v) {
        if (v != null && v.isNumber()) {
            return v.doubleValue();
        }
        if (v != null && v.isTextual()) {
            try {
                return Double.parseDouble(v.asText());
            } catch (NumberFormatException e) {
                // reported below as what it is
            }
        }
        throw new IllegalArgumentException("not a number: " + v);
    }
}

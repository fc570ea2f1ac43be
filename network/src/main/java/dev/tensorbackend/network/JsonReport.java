package dev.tensorbackend.network;

import java.util.ArrayList;
import java.util.List;

/**
 * One JSON object: {@code {"backend": ..., "inputs": {...}, "forward": {...}, "gradients": {...},
 * "updated": {...}}}, the inputs holding X, F, bC, WQ, WK, WV, WD, bD, y and learningRate,
 * matrices as arrays of rows, vectors as arrays, scalars as numbers. NaN and infinity, which
 * JSON cannot hold as numbers, are written as the strings "NaN", "Infinity", "-Infinity" so
 * that they stay visible.
 */
final class JsonReport {
    private JsonReport() {
    }

    static String of(PassRecord record) {
        StringBuilder json = new StringBuilder("{\n  \"backend\": \"").append(record.backend()).append('"');
        List<String> sections = new ArrayList<>(List.of(DocumentedPass.INPUTS));
        sections.addAll(DocumentedPass.SECTIONS);
        for (String section : sections) {
            json.append(",\n  \"").append(section).append("\": {");
            List<PassRecord.Entry> entries = record.section(section);
            for (int i = 0; i < entries.size(); i++) {
                PassRecord.Entry e = entries.get(i);
                json.append(i == 0 ? "\n" : ",\n").append("    \"").append(e.name()).append("\": ");
                value(e, json);
            }
            json.append("\n  }");
        }
        return json.append("\n}").toString();
    }

    private static void value(PassRecord.Entry e, StringBuilder json) {
        float[] v = e.values();
        switch (e.shape().rank()) {
            case 0 -> json.append(number(v[0]));
            case 1 -> array(v, 0, v.length, json);
            case 2 -> {
                int cols = e.shape().dim(1);
                json.append('[');
                for (int r = 0; r < e.shape().dim(0); r++) {
                    json.append(r == 0 ? "" : ", ");
                    array(v, r * cols, cols, json);
                }
                json.append(']');
            }
            default -> throw new IllegalStateException(e.name() + ": rank " + e.shape().rank() + " has no JSON layout here");
        }
    }

    private static void array(float[] v, int from, int count, StringBuilder json) {
        json.append('[');
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ", ").append(number(v[from + i]));
        }
        json.append(']');
    }

    static String number(float f) {
        if (Float.isNaN(f)) {
            return "\"NaN\"";
        }
        if (Float.isInfinite(f)) {
            return f > 0 ? "\"Infinity\"" : "\"-Infinity\"";
        }
        return Float.toString(f);
    }
}

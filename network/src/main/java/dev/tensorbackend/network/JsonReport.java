package dev.tensorbackend.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One JSON object: {@code {"backend": ..., "inputs": {...}, "forward": {...}, "gradients": {...},
 * "updated": {...}}}, the inputs holding X, F, bC, WQ, WK, WV, WD, bD, y and learningRate,
 * matrices as arrays of rows, vectors as arrays, scalars as numbers. NaN and infinity, which
 * JSON cannot hold as numbers, are written as the strings "NaN", "Infinity", "-Infinity" (Jackson's
 * default) so that they stay visible.
 */
final class JsonReport {
    private JsonReport() {
    }

    static String of(PassRecord record) {
        return Json.pretty(tree(record));
    }

    static ObjectNode tree(PassRecord record) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("backend", record.backend());
        List<String> sections = new ArrayList<>(List.of(DocumentedPass.INPUTS));
        sections.addAll(DocumentedPass.SECTIONS);
        for (String section : sections) {
            ObjectNode values = root.putObject(section);
            for (PassRecord.Entry e : record.section(section)) {
                value(e, values);
            }
        }
        return root;
    }

    private static void value(PassRecord.Entry e, ObjectNode section) {
        float[] v = e.values();
        switch (e.shape().rank()) {
            case 0 -> section.put(e.name(), v[0]);
            case 1 -> array(v, 0, v.length, section.putArray(e.name()));
            case 2 -> {
                int cols = e.shape().dim(1);
                ArrayNode rows = section.putArray(e.name());
                for (int r = 0; r < e.shape().dim(0); r++) {
                    array(v, r * cols, cols, rows.addArray());
                }
            }
            default -> throw new IllegalStateException(e.name() + ": rank " + e.shape().rank() + " has no JSON layout here");
        }
    }

    private static void array(float[] v, int from, int count, ArrayNode into) {
        for (int i = 0; i < count; i++) {
            into.add(v[from + i]);
        }
    }
}

package dev.tensorbackend.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Joins the JSON arrays of several JMH runs into one array, entries untouched. */
final class JmhJsonMerge {
    private JmhJsonMerge() {
    }

    static String merge(List<Path> files) throws IOException {
        List<String> bodies = new ArrayList<>();
        for (Path f : files) {
            if (!Files.exists(f)) {
                continue;
            }
            String s = Files.readString(f).trim();
            if (!s.startsWith("[") || !s.endsWith("]")) {
                throw new IOException(f + " is not a JMH JSON array");
            }
            String body = s.substring(1, s.length() - 1).trim();
            if (!body.isEmpty()) {
                bodies.add(body);
            }
        }
        return bodies.isEmpty() ? "[]\n" : "[\n" + String.join(",\n", bodies) + "\n]\n";
    }
}

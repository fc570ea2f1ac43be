package dev.tensorbackend.network;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.util.Instantiatable;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Jackson, set up the way every JSON file of the project is laid out: the outer objects and
 * arrays one entry a line, anything nested deeper on one line ({@code "X": [[0.0, 3.0], ...]},
 * one benchmark row per line), so that the files stay readable and diff line by line.
 * The benchmarks module writes its reports through this class too.
 */
public final class Json {
    /** One mapper for the project: Jackson's defaults (NaN and infinity are written as strings). */
    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    /** Two-space indent; objects and arrays down to the second level one entry a line. */
    public static String pretty(JsonNode node) {
        return write(node, "  ", 2, 2);
    }

    /**
     * {@code node} with {@code indent} per level; an object (array) at nesting level 1, 2, ...
     * up to {@code objectLines} ({@code arrayLines}) has one entry a line, deeper ones are inline.
     */
    public static String write(JsonNode node, String indent, int objectLines, int arrayLines) {
        try {
            return MAPPER.writer(new LinePrinter(indent, objectLines, arrayLines)).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The layout described above, as a Jackson pretty printer; one instance per document. */
    static final class LinePrinter implements PrettyPrinter, Instantiatable<LinePrinter> {
        private final String indent;
        private final int objectLines;
        private final int arrayLines;
        /** Per open container, whether it has one entry a line. */
        private final Deque<Boolean> lines = new ArrayDeque<>();

        LinePrinter(String indent, int objectLines, int arrayLines) {
            this.indent = indent;
            this.objectLines = objectLines;
            this.arrayLines = arrayLines;
        }

        @Override
        public LinePrinter createInstance() {
            return new LinePrinter(indent, objectLines, arrayLines);
        }

        private void open(JsonGenerator g, char bracket, int maxLevel) throws IOException {
            lines.push(lines.size() + 1 <= maxLevel && (lines.isEmpty() || lines.peek()));
            g.writeRaw(bracket);
        }

        private void close(JsonGenerator g, char bracket, int entries) throws IOException {
            boolean broken = lines.pop();
            if (broken && entries > 0) {
                newLine(g, lines.size());
            }
            g.writeRaw(bracket);
        }

        private void first(JsonGenerator g) throws IOException {
            if (lines.peek()) {
                newLine(g, lines.size());
            }
        }

        private void separator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            if (lines.peek()) {
                newLine(g, lines.size());
            } else {
                g.writeRaw(' ');
            }
        }

        private void newLine(JsonGenerator g, int level) throws IOException {
            g.writeRaw('\n');
            g.writeRaw(indent.repeat(level));
        }

        @Override
        public void writeRootValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
        }

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            open(g, '{', objectLines);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            close(g, '}', entries);
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            separator(g);
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            open(g, '[', arrayLines);
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            close(g, ']', values);
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            separator(g);
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) throws IOException {
            first(g);
        }

        @Override
        public void beforeObjectEntries(JsonGenerator g) throws IOException {
            first(g);
        }
    }
}

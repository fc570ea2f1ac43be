package dev.tensorbackend.bench.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns JMH's JSON results into the three report files: {@code bench-report.json},
 * {@code bench-report.md} and {@code bench-report.svg}. Runs after JMH, from
 * {@code BenchMain} or on its own: {@code ReportWriter OUT_DIR JMH_JSON [NOTE...]}.
 */
public final class ReportWriter {
    public static final String JSON_FILE = "bench-report.json";
    public static final String MARKDOWN_FILE = "bench-report.md";
    public static final String SVG_FILE = "bench-report.svg";

    private ReportWriter() {
    }

    /** Writes the three files into {@code outDir} and returns the measurements they show. */
    public static List<Measurement> write(Path jmhJson, Path outDir, List<String> notes, PrintStream log)
            throws IOException {
        List<Measurement> ms = Files.exists(jmhJson) ? JmhResults.read(jmhJson, log) : List.of();
        Files.createDirectories(outDir);
        Files.writeString(outDir.resolve(JSON_FILE), JsonReport.render(ms, notes));
        Files.writeString(outDir.resolve(MARKDOWN_FILE), MarkdownReport.render(ms, notes));
        Files.writeString(outDir.resolve(SVG_FILE), SvgChart.render(ms));
        return ms;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ReportWriter OUT_DIR JMH_JSON [NOTE...]");
            System.exit(2);
        }
        List<String> notes = new ArrayList<>(List.of(args).subList(2, args.length));
        List<Measurement> ms = write(Path.of(args[1]), Path.of(args[0]), notes, System.err);
        System.out.println("report: " + ms.size() + " measurements written to " + args[0]);
    }
}

package dev.tensorbackend.bench.report;

import dev.tensorbackend.network.ExitStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns JMH's JSON results into the report: {@code bench-report.json}, {@code bench-report.md},
 * and two charts as SVG and PNG, {@code bench-report.*} (throughput) and
 * {@code bench-report-speedups.*}. Runs after JMH, from
 * {@code BenchMain} or on its own: {@code ReportWriter OUT_DIR JMH_JSON [NOTE...]}.
 */
public final class ReportWriter {
    public static final String JSON_FILE = "bench-report.json";
    public static final String MARKDOWN_FILE = "bench-report.md";
    public static final String SVG_FILE = "bench-report.svg";
    public static final String PNG_FILE = "bench-report.png";
    public static final String SPEEDUP_SVG_FILE = "bench-report-speedups.svg";
    public static final String SPEEDUP_PNG_FILE = "bench-report-speedups.png";

    private ReportWriter() {
    }

    /** Writes the report files into {@code outDir} and returns the measurements they show. */
    public static List<Measurement> write(Path jmhJson, Path outDir, List<String> notes, PrintStream log)
            throws IOException {
        List<Measurement> ms = Files.exists(jmhJson) ? JmhResults.read(jmhJson, log) : List.of();
        Files.createDirectories(outDir);
        Files.writeString(outDir.resolve(JSON_FILE), JsonReport.render(ms, notes));
        Files.writeString(outDir.resolve(MARKDOWN_FILE), MarkdownReport.render(ms, notes));
        Charts.write(ms, outDir, base(SVG_FILE), base(SPEEDUP_SVG_FILE));
        return ms;
    }

    private static String base(String file) {
        return file.substring(0, file.lastIndexOf('.'));
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.out, System.err));
    }

    /** The command line; exit statuses from the project's one table. */
    static int run(String[] args, PrintStream out, PrintStream err) throws IOException {
        if (args.length < 2) {
            err.println("usage: ReportWriter OUT_DIR JMH_JSON [NOTE...]");
            return ExitStatus.USAGE;
        }
        Path jmhJson = Path.of(args[1]);
        if (!Files.isRegularFile(jmhJson)) {
            // write() accepts a missing file (a suite where nothing ran); named by hand, it is a mistake
            err.println("report: no JMH result file at " + jmhJson);
            return ExitStatus.USAGE;
        }
        List<String> notes = new ArrayList<>(List.of(args).subList(2, args.length));
        try {
            List<Measurement> ms = write(jmhJson, Path.of(args[0]), notes, err);
            out.println("report: " + ms.size() + " measurements written to " + args[0]);
            return ExitStatus.OK;
        } catch (IllegalArgumentException e) {
            err.println("report: " + jmhJson + ": " + e.getMessage());
            return ExitStatus.USAGE;
        }
    }
}

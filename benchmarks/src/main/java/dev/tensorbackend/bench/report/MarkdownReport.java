package dev.tensorbackend.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** {@code bench-report.md}: the run's notes, then one table per op. */
final class MarkdownReport {
    private MarkdownReport() {
    }

    static String render(List<Measurement> measurements, List<String> notes) {
        StringBuilder md = new StringBuilder("# Benchmark report\n\n");
        for (String note : notes) {
            md.append("- ").append(note).append('\n');
        }
        md.append("\nThroughput per call, higher is better: GFLOP/s count a multiply-add as 2 operations; ")
                .append("GB/s count the bytes an op must read and write once. ")
                .append("kernel-only: operands resident on the backend, result waited for; ")
                .append("end-to-end (e2e): upload, compute, download. ")
                .append("Speedups divide throughputs measured in this same run.\n");
        if (measurements.isEmpty()) {
            md.append("\nNo measurements.\n");
        }
        for (OpTable t : OpTable.of(measurements)) {
            md.append("\n## ").append(t.op).append(" (").append(t.unit).append(")\n\n");
            List<Speedup> speedups = new ArrayList<>();
            for (Speedup s : Speedup.ALL) {
                if (t.hasRatio(s.over(), s.under())) {
                    speedups.add(s);
                }
            }
            List<String> header = new ArrayList<>(List.of("size", "shape"));
            t.series.forEach(s -> header.add(s.label()));
            speedups.forEach(s -> header.add(s.title()));
            row(md, header);
            List<String> rule = new ArrayList<>();
            for (int i = 0; i < header.size(); i++) {
                rule.add(i < 2 ? "---" : "---:");
            }
            row(md, rule);
            for (String size : t.sizes) {
                List<String> cells = new ArrayList<>(List.of(size, t.shape(size)));
                for (Series s : t.series) {
                    cells.add(t.cell(size, s).map(m -> throughput(m.throughput())).orElse("—"));
                }
                for (Speedup s : speedups) {
                    Optional<Double> r = t.ratio(size, s.over(), s.under());
                    cells.add(r.map(MarkdownReport::ratio).orElse("—"));
                }
                row(md, cells);
            }
        }
        return md.toString();
    }

    /** Three significant digits, no exponent for the ranges benchmarks produce. */
    static String throughput(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (v >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }

    static String ratio(double r) {
        return (r >= 10 ? String.format(Locale.ROOT, "%.0f", r) : String.format(Locale.ROOT, "%.2f", r)) + "x";
    }

    private static void row(StringBuilder md, List<String> cells) {
        md.append("| ").append(String.join(" | ", cells)).append(" |\n");
    }
}

package dev.tensorbackend.bench.report;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code bench-report.svg}: one panel per op, throughput (log scale, so a 100x gap and a
 * 1.2x gap both stay readable) against problem size, one line per backend and variant.
 * Plain SVG 1.1 that any browser shows.
 */
final class SvgChart {
    private static final int COLUMNS = 2;
    private static final int PANEL_W = 520;
    private static final int PANEL_H = 320;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 36;
    private static final int BOTTOM = 80;
    private static final int LEGEND_ROW = 22;

    private static final Map<Series, String> COLORS = Map.of(
            Series.CPU, "#1f77b4", Series.CUDA, "#d62728", Series.CUDA_E2E, "#ff7f0e",
            Series.CUBLAS, "#2ca02c", Series.CUBLAS_E2E, "#8fd175", Series.EJML_1T, "#9467bd",
            Series.EJML_MT, "#e377c2");

    private SvgChart() {
    }

    static String render(List<Measurement> measurements) {
        List<OpTable> tables = OpTable.of(measurements);
        Set<Series> all = new LinkedHashSet<>();
        tables.forEach(t -> all.addAll(t.series));
        List<Series> legend = new ArrayList<>(all);
        legend.sort((a, b) -> a.rank() != b.rank() ? Integer.compare(a.rank(), b.rank()) : a.label().compareTo(b.label()));

        int legendH = 20 + LEGEND_ROW * ((legend.size() + 3) / 4);
        int rows = Math.max(1, (tables.size() + COLUMNS - 1) / COLUMNS);
        int width = COLUMNS * PANEL_W;
        int height = legendH + rows * PANEL_H;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                        + "font-family=\"sans-serif\" font-size=\"12\">\n", width, height, width, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height));
        for (int i = 0; i < legend.size(); i++) {
            Series s = legend.get(i);
            int x = 20 + (i % 4) * 250;
            int y = 20 + (i / 4) * LEGEND_ROW;
            svg.append(String.format(Locale.ROOT,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"%s/>"
                            + "<text x=\"%d\" y=\"%d\">%s</text>\n",
                    x, y, x + 30, y, color(s), dash(s), x + 38, y + 4, escape(s.label())));
        }
        if (tables.isEmpty()) {
            svg.append(String.format(Locale.ROOT, "<text x=\"20\" y=\"%d\">No measurements.</text>\n", legendH + 20));
        }
        for (int i = 0; i < tables.size(); i++) {
            panel(svg, tables.get(i), (i % COLUMNS) * PANEL_W, legendH + (i / COLUMNS) * PANEL_H);
        }
        return svg.append("</svg>\n").toString();
    }

    private static void panel(StringBuilder svg, OpTable t, int x0, int y0) {
        int plotW = PANEL_W - LEFT - RIGHT;
        int plotH = PANEL_H - TOP - BOTTOM;
        int px = x0 + LEFT;
        int py = y0 + TOP;
        svg.append(String.format(Locale.ROOT, "<g>\n<text x=\"%d\" y=\"%d\" font-size=\"15\" font-weight=\"bold\">%s (%s)</text>\n",
                px, y0 + 22, escape(t.op), escape(t.unit)));
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (String size : t.sizes) {
            for (Series s : t.series) {
                Optional<Measurement> m = t.cell(size, s);
                if (m.isPresent() && plottable(m.get().throughput())) {
                    min = Math.min(min, m.get().throughput());
                    max = Math.max(max, m.get().throughput());
                }
            }
        }
        if (max == 0) {
            return;
        }
        int lo = (int) Math.floor(Math.log10(min));
        int hi = Math.max(lo + 1, (int) Math.ceil(Math.log10(max)));
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>\n",
                px, py, plotW, plotH));
        for (int k = lo; k <= hi; k++) {
            // decades, and 2 and 5 between them where few decades leave room for the labels
            for (int mantissa : hi - lo <= 2 ? new int[] {1, 2, 5} : new int[] {1}) {
                double logV = k + Math.log10(mantissa);
                if (logV > hi) {
                    break;
                }
                double y = py + plotH - (logV - lo) / (hi - lo) * plotH;
                svg.append(String.format(Locale.ROOT,
                        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>"
                                + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                        px, y, px + plotW, y, mantissa == 1 ? "#ccc" : "#eee", px - 6, y + 4, tick(mantissa, k)));
            }
        }
        int n = t.sizes.size();
        for (int i = 0; i < n; i++) {
            double x = px + (i + 0.5) * plotW / n;
            svg.append(String.format(Locale.ROOT,
                    "<text transform=\"translate(%.1f,%d) rotate(-30)\" text-anchor=\"end\">%s</text>\n",
                    x, py + plotH + 16, escape(t.sizes.get(i))));
        }
        for (Series s : t.series) {
            List<String> points = new ArrayList<>();
            StringBuilder dots = new StringBuilder();
            for (int i = 0; i < n; i++) {
                Optional<Measurement> m = t.cell(t.sizes.get(i), s);
                if (m.isEmpty() || !plottable(m.get().throughput())) {
                    continue;
                }
                double v = m.get().throughput();
                double x = px + (i + 0.5) * plotW / n;
                double y = py + plotH - (Math.log10(v) - lo) / (hi - lo) * plotH;
                points.add(String.format(Locale.ROOT, "%.1f,%.1f", x, y));
                dots.append(String.format(Locale.ROOT,
                        "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>%s %s: %s %s</title></circle>\n",
                        x, y, color(s), escape(s.label()), escape(t.sizes.get(i)),
                        MarkdownReport.throughput(v), escape(t.unit)));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s/>\n",
                    String.join(" ", points), color(s), dash(s)));
            svg.append(dots);
        }
        svg.append("</g>\n");
    }

    private static boolean plottable(double v) {
        return v > 0 && Double.isFinite(v);
    }

    private static String color(Series s) {
        return COLORS.getOrDefault(s, "#7f7f7f");
    }

    /** End-to-end lines are dashed, so they read as the same backend paying for transfers. */
    private static String dash(Series s) {
        return s.variant().endsWith(Series.END_TO_END) ? " stroke-dasharray=\"6,4\"" : "";
    }

    /** {@code mantissa * 10^k} written plainly: 0.05, 2, 500. */
    private static String tick(int mantissa, int k) {
        return BigDecimal.valueOf(mantissa).scaleByPowerOfTen(k).toPlainString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

package dev.tensorbackend.bench.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.svg.SVGGraphics2D;

/**
 * The report's two charts, throughput and speedups, each as an SVG (JFreeSVG) and a PNG beside
 * it: one JFreeChart panel per op, two panels a row.
 */
public final class Charts {
    /** Between a series' label and its size family in a line's key; only the label is shown. */
    static final String KEY_SEPARATOR = "\t";

    private static final int COLUMNS = 2;
    private static final int PANEL_W = 600;
    private static final int PANEL_H = 420;

    static {
        // rotated labels (the y axis title) as SVG text rather than glyph outlines: JFreeChart's
        // workaround draws them as a TextLayout, which JFreeSVG writes as paths (larger, not searchable)
        org.jfree.chart.text.TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private Charts() {
    }

    /** bench-report.svg/.png and bench-report-speedups.svg/.png into {@code dir}; returns the files. */
    static List<Path> write(List<Measurement> measurements, Path dir, String throughputBase, String speedupBase)
            throws IOException {
        List<OpTable> tables = OpTable.of(measurements);
        List<JFreeChart> throughput = tables.stream().map(ThroughputChart::of).toList();
        List<JFreeChart> speedups = tables.stream().map(SpeedupChart::of).flatMap(Optional::stream).toList();
        List<Path> files = new ArrayList<>();
        files.addAll(grid(throughput, "No measurements.", dir, throughputBase));
        files.addAll(grid(speedups, "No speedups: no comparison had both of its sides measured.", dir, speedupBase));
        return files;
    }

    private static List<Path> grid(List<JFreeChart> charts, String emptyText, Path dir, String base) throws IOException {
        int rows = Math.max(1, (charts.size() + COLUMNS - 1) / COLUMNS);
        int width = COLUMNS * PANEL_W;
        int height = charts.isEmpty() ? 60 : rows * PANEL_H;
        SVGGraphics2D svg = new SVGGraphics2D(width, height);
        draw(svg, charts, emptyText, width, height);
        Path svgFile = dir.resolve(base + ".svg");
        // the element without JFreeSVG's DOCTYPE, whose DTD an XML reader would fetch from w3.org
        Files.writeString(svgFile, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg.getSVGElement() + "\n");
        BufferedImage png = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = png.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        draw(g, charts, emptyText, width, height);
        g.dispose();
        Path pngFile = dir.resolve(base + ".png");
        ImageIO.write(png, "png", pngFile.toFile());
        return List.of(svgFile, pngFile);
    }

    private static void draw(Graphics2D g, List<JFreeChart> charts, String emptyText, int width, int height) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        if (charts.isEmpty()) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.drawString(emptyText, 20, 35);
            return;
        }
        for (int i = 0; i < charts.size(); i++) {
            charts.get(i).draw(g, new Rectangle2D.Double((i % COLUMNS) * PANEL_W, (i / COLUMNS) * PANEL_H, PANEL_W, PANEL_H));
        }
    }

    static boolean plottable(double v) {
        return v > 0 && Double.isFinite(v);
    }

    /** Lines with markers; the legend shows a line's series label, not its size family. */
    static XYLineAndShapeRenderer renderer() {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setLegendItemLabelGenerator((dataset, series) -> {
            String key = String.valueOf(dataset.getSeriesKey(series));
            return key.substring(0, key.indexOf(KEY_SEPARATOR) < 0 ? key.length() : key.indexOf(KEY_SEPARATOR));
        });
        return r;
    }

    /**
     * A log axis titled "{@code title}, log scale", reaching to the powers of ten around the data
     * (so a panel with one point still has a decade of scale), ticks labelled as plain numbers
     * (written as SVG text, where LogAxis' superscript labels become glyph outlines).
     */
    static LogarithmicAxis logAxis(String title) {
        LogarithmicAxis axis = new LogarithmicAxis(title + ", log scale");
        axis.setAutoRangeNextLogFlag(true);
        axis.setStrictValuesFlag(false);
        return axis;
    }

    static JFreeChart chart(String title, XYPlot plot) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        return chart;
    }
}

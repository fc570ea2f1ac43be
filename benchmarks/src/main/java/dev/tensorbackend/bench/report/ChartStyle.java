package dev.tensorbackend.bench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Shape;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.Map;
import org.jfree.chart.util.ShapeUtils;

/**
 * How each series looks in both charts: a colour and a marker of its own, so that the lines
 * stay apart in print and for colour-blind readers (EJML 1T and MT differ in both), and dashed
 * strokes for end-to-end times, which read as the same backend paying for its transfers.
 */
final class ChartStyle {
    private static final float SIZE = 4.5f;

    private record Look(Color color, Shape marker) {
    }

    private static final Map<Series, Look> LOOKS = Map.of(
            Series.CPU, new Look(new Color(0x1f77b4), new Ellipse2D.Float(-SIZE, -SIZE, 2 * SIZE, 2 * SIZE)),
            Series.CUDA, new Look(new Color(0xd62728), new Rectangle2D.Float(-SIZE, -SIZE, 2 * SIZE, 2 * SIZE)),
            Series.CUDA_E2E, new Look(new Color(0xff7f0e), new Rectangle2D.Float(-SIZE, -SIZE, 2 * SIZE, 2 * SIZE)),
            Series.CUBLAS, new Look(new Color(0x2ca02c), ShapeUtils.createUpTriangle(SIZE + 1)),
            Series.CUBLAS_E2E, new Look(new Color(0x17becf), ShapeUtils.createUpTriangle(SIZE + 1)),
            Series.EJML_1T, new Look(new Color(0x8c564b), ShapeUtils.createDiamond(SIZE + 1)),
            Series.EJML_MT, new Look(new Color(0x9467bd), ShapeUtils.createDownTriangle(SIZE + 1)),
            Series.PYTORCH, new Look(new Color(0xe377c2), ShapeUtils.createRegularCross(SIZE + 1, 1.6f)),
            Series.OPENBLAS, new Look(new Color(0x393b79), leftTriangle(SIZE + 1)),
            new Series("cpu", Series.END_TO_END), new Look(new Color(0x7f7f7f), new Ellipse2D.Float(-SIZE, -SIZE, 2 * SIZE, 2 * SIZE)));

    /** Anything else (the reference backend, a new peer): olive crosses. */
    private static final Look OTHER = new Look(new Color(0xbcbd22), ShapeUtils.createDiagonalCross(SIZE, 1.2f));

    /** The speedup chart's lines, one look per comparison, in {@link Speedup#ALL}'s order. */
    private static final Color[] SPEEDUP_COLORS = {new Color(0xd62728), new Color(0xff7f0e), new Color(0x2ca02c),
        new Color(0x8c564b), new Color(0x9467bd), new Color(0x1f77b4), new Color(0x7f7f7f)};
    private static final Shape[] SPEEDUP_MARKERS = {new Rectangle2D.Float(-SIZE, -SIZE, 2 * SIZE, 2 * SIZE),
        new Ellipse2D.Float(-SIZE, -SIZE, 2 * SIZE, 2 * SIZE), ShapeUtils.createUpTriangle(SIZE + 1),
        ShapeUtils.createDiamond(SIZE + 1), ShapeUtils.createDownTriangle(SIZE + 1), ShapeUtils.createDiagonalCross(SIZE, 1.2f),
        ShapeUtils.createRegularCross(SIZE, 1.2f)};

    private ChartStyle() {
    }

    /** A triangle pointing left (JFreeChart's ShapeUtils has up and down ones, both taken). */
    private static Shape leftTriangle(float s) {
        Path2D.Float p = new Path2D.Float();
        p.moveTo(-s, 0);
        p.lineTo(s, -s);
        p.lineTo(s, s);
        p.closePath();
        return p;
    }

    static Color color(Series s) {
        return LOOKS.getOrDefault(s, OTHER).color();
    }

    static Shape marker(Series s) {
        return LOOKS.getOrDefault(s, OTHER).marker();
    }

    static Stroke stroke(Series s) {
        return s.variant().endsWith(Series.END_TO_END)
                ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {6f, 4f}, 0f)
                : new BasicStroke(2f);
    }

    static Color speedupColor(int i) {
        return SPEEDUP_COLORS[i % SPEEDUP_COLORS.length];
    }

    static Shape speedupMarker(int i) {
        return SPEEDUP_MARKERS[i % SPEEDUP_MARKERS.length];
    }
}

package dev.tensorbackend.bench.report;

import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * One panel of {@code bench-report-speedups.svg}: per op, each comparison of {@link Speedup#ALL}
 * measured on both sides (CUDA/CPU, kernel/cuBLAS, ours/EJML, ...) against the work of one
 * call, log axes, a rule at 1x (parity). The same numbers as the report's speedup columns.
 */
final class SpeedupChart {
    private SpeedupChart() {
    }

    /** The panel, or empty when no comparison has both sides for this op. */
    static Optional<JFreeChart> of(OpTable t) {
        XYSeriesCollection data = new XYSeriesCollection();
        List<Integer> looks = new ArrayList<>();
        List<Boolean> inLegend = new ArrayList<>();
        for (int k = 0; k < Speedup.ALL.size(); k++) {
            Speedup sp = Speedup.ALL.get(k);
            Map<String, XYSeries> byFamily = new LinkedHashMap<>();
            for (String size : t.sizes) {
                Optional<Double> r = t.ratio(size, sp.over(), sp.under());
                if (r.isPresent() && Charts.plottable(r.get())) {
                    double x = ThroughputChart.amount(t.cell(size, sp.over()).orElseThrow().work());
                    byFamily.computeIfAbsent(SizeFamily.of(size),
                            f -> new XYSeries(sp.title() + Charts.KEY_SEPARATOR + f, true, false)).add(x, r.get());
                }
            }
            boolean first = true;
            for (XYSeries xy : byFamily.values()) {
                data.addSeries(xy);
                looks.add(k);
                inLegend.add(first);
                first = false;
            }
        }
        if (data.getSeriesCount() == 0) {
            return Optional.empty();
        }
        XYLineAndShapeRenderer renderer = Charts.renderer();
        for (int i = 0; i < looks.size(); i++) {
            renderer.setSeriesPaint(i, ChartStyle.speedupColor(looks.get(i)));
            renderer.setSeriesShape(i, ChartStyle.speedupMarker(looks.get(i)));
            renderer.setSeriesVisibleInLegend(i, inLegend.get(i));
        }
        boolean compute = t.unit.equals("GFLOP/s");
        XYPlot plot = new XYPlot(data, Charts.logAxis(compute ? "work per call (GFLOP)" : "data moved per call (MB)"),
                Charts.logAxis("speedup (x; above 1 the first is faster)"), renderer);
        plot.addRangeMarker(new ValueMarker(1.0));
        return Optional.of(Charts.chart(t.op + ": speedups", plot));
    }
}

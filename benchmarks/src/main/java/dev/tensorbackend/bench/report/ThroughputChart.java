package dev.tensorbackend.bench.report;

import dev.tensorbackend.bench.workload.Work;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * One panel of {@code bench-report.svg}: an op's throughput against the work of one call,
 * both on log axes (a 100x gap and a 1.2x gap both stay readable, and sizes sit where their
 * work puts them), one line per backend and variant within each size family.
 */
final class ThroughputChart {
    private ThroughputChart() {
    }

    static JFreeChart of(OpTable t) {
        XYSeriesCollection data = new XYSeriesCollection();
        List<Series> looks = new ArrayList<>();
        List<Boolean> inLegend = new ArrayList<>();
        for (Series s : t.series) {
            Map<String, XYSeries> byFamily = new LinkedHashMap<>();
            for (String size : t.sizes) {
                Optional<Measurement> m = t.cell(size, s);
                if (m.isPresent() && Charts.plottable(m.get().throughput())) {
                    String family = SizeFamily.of(size);
                    byFamily.computeIfAbsent(family, f -> new XYSeries(s.label() + Charts.KEY_SEPARATOR + f, true, false))
                            .add(amount(m.get().work()), m.get().throughput());
                }
            }
            boolean first = true;
            for (XYSeries xy : byFamily.values()) {
                data.addSeries(xy);
                looks.add(s);
                inLegend.add(first);
                first = false;
            }
        }
        XYLineAndShapeRenderer renderer = Charts.renderer();
        for (int i = 0; i < looks.size(); i++) {
            renderer.setSeriesPaint(i, ChartStyle.color(looks.get(i)));
            renderer.setSeriesShape(i, ChartStyle.marker(looks.get(i)));
            renderer.setSeriesStroke(i, ChartStyle.stroke(looks.get(i)));
            renderer.setSeriesVisibleInLegend(i, inLegend.get(i));
        }
        boolean compute = t.unit.equals("GFLOP/s");
        XYPlot plot = new XYPlot(data, Charts.logAxis(compute ? "work per call (GFLOP)" : "data moved per call (MB)"),
                Charts.logAxis("throughput (" + t.unit + ")"), renderer);
        return Charts.chart(t.op + " (" + t.unit + ")", plot);
    }

    /** The x of a measurement: GFLOP per call for compute-bound ops, MB for memory-bound ones. */
    static double amount(Work w) {
        return w.isCompute() ? w.flops() / 1e9 : w.bytes() / 1e6;
    }
}

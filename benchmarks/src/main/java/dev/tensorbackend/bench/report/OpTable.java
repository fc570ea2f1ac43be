package dev.tensorbackend.bench.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The measurements of one op arranged as the report shows them: sizes from least to most
 * work (rows), series in {@link Series#ORDER} (columns). Both the markdown tables and the
 * chart are drawn from these.
 */
final class OpTable {
    /** Ops in the order the report lists them; ops not listed follow in name order. */
    static final List<String> OP_ORDER = List.of("matmul", "matmul, tall and skinny", "attention QK^T", "attention AV",
            "conv2d forward", "conv2d backward-input", "conv2d backward-filter",
            "softmax forward", "softmax backward", "training step");

    final String op;
    final String unit;
    final List<String> sizes;
    final List<Series> series;
    private final Map<String, Map<Series, Measurement>> cells;
    private final Map<String, String> shapes;

    private OpTable(String op, List<Measurement> ms) {
        this.op = op;
        this.unit = ms.get(0).work().unit();
        this.cells = new LinkedHashMap<>();
        this.shapes = new LinkedHashMap<>();
        List<Measurement> byWork = new ArrayList<>(ms);
        byWork.sort(Comparator.comparingDouble((Measurement m) -> m.work().isCompute() ? m.work().flops() : m.work().bytes())
                .thenComparing(Measurement::size));
        List<Series> seen = new ArrayList<>();
        for (Measurement m : byWork) {
            cells.computeIfAbsent(m.size(), k -> new LinkedHashMap<>()).put(m.series(), m);
            shapes.putIfAbsent(m.size(), m.shape());
            if (!seen.contains(m.series())) {
                seen.add(m.series());
            }
        }
        seen.sort(Comparator.comparingInt(Series::rank).thenComparing(Series::label));
        this.sizes = List.copyOf(cells.keySet());
        this.series = List.copyOf(seen);
    }

    /** One table per op, in {@link #OP_ORDER}. */
    static List<OpTable> of(List<Measurement> measurements) {
        Map<String, List<Measurement>> byOp = new LinkedHashMap<>();
        for (Measurement m : measurements) {
            byOp.computeIfAbsent(m.op(), k -> new ArrayList<>()).add(m);
        }
        List<String> ops = new ArrayList<>(byOp.keySet());
        ops.sort(Comparator.comparingInt((String op) -> OP_ORDER.contains(op) ? OP_ORDER.indexOf(op) : OP_ORDER.size())
                .thenComparing(op -> op));
        List<OpTable> tables = new ArrayList<>();
        for (String op : ops) {
            tables.add(new OpTable(op, byOp.get(op)));
        }
        return tables;
    }

    Optional<Measurement> cell(String size, Series s) {
        return Optional.ofNullable(cells.getOrDefault(size, Map.of()).get(s));
    }

    String shape(String size) {
        return shapes.get(size);
    }

    /** Throughput of {@code over} divided by that of {@code under} at one size, when both were measured. */
    Optional<Double> ratio(String size, Series over, Series under) {
        Optional<Measurement> a = cell(size, over);
        Optional<Measurement> b = cell(size, under);
        if (a.isEmpty() || b.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(a.get().throughput() / b.get().throughput());
    }

    /** Whether any size has both series, i.e. whether the ratio column is worth printing. */
    boolean hasRatio(Series over, Series under) {
        return sizes.stream().anyMatch(size -> ratio(size, over, under).isPresent());
    }
}

package dev.tensorbackend.bench.lab;

import dev.tensorbackend.bench.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The kernel lab's rows beside PyTorch's: per op and shape, ours, PyTorch, ours/PyTorch
 * (PyTorch's time over ours: above 1 means we are faster) and the fraction of the card's
 * ceiling measured by the baseline in the same session: the FP32 FMA rate for compute-bound
 * ops, the device-to-device copy bandwidth for memory-bound ones.
 */
final class LabReport {
    private final List<LabRow> rows;
    private final Baseline baseline;

    LabReport(List<LabRow> rows, Baseline baseline) {
        this.rows = rows;
        this.baseline = baseline;
    }

    /** PyTorch's median milliseconds per (op, shape), its ceilings, and where it ran. */
    record Baseline(Map<String, Double> ms, double fmaGflops, double copyGbps, String device, String torch) {

        static Baseline read(Path file) throws IOException {
            return parse(Files.readString(file));
        }

        @SuppressWarnings("unchecked")
        static Baseline parse(String text) {
            Map<String, Object> root = (Map<String, Object>) Json.parse(text);
            Map<String, Object> info = (Map<String, Object>) root.get("info");
            Map<String, Double> ms = new LinkedHashMap<>();
            double fma = Double.NaN, copy = Double.NaN;
            for (Object o : (List<Object>) root.get("rows")) {
                Map<String, Object> r = (Map<String, Object>) o;
                String op = (String) r.get("op");
                switch (op) {
                    case "ceiling-fp32-fma" -> fma = Json.number(r.get("gflops"));
                    case "ceiling-copy" -> copy = Json.number(r.get("gbps"));
                    default -> ms.put(key(op, (String) r.get("shape")), Json.number(r.get("ms")));
                }
            }
            return new Baseline(ms, fma, copy, String.valueOf(info.get("device")), String.valueOf(info.get("torch")));
        }
    }

    static String key(String op, String shape) {
        return op + " " + shape;
    }

    /** PyTorch's time for the row's op and shape, when PyTorch ran on the row's kind of device (NaN otherwise). */
    double pytorchMs(LabRow r) {
        if (baseline == null || !sameKindOfDevice(r)) {
            return Double.NaN;
        }
        return baseline.ms().getOrDefault(key(r.op(), r.shape()), Double.NaN);
    }

    /** A CPU row meets a CPU baseline, a GPU row a GPU one; never a CPU row against PyTorch on a GPU. */
    private boolean sameKindOfDevice(LabRow r) {
        return r.backend().equals("cpu") == baseline.device().equals("cpu");
    }

    /** PyTorch's time over ours (device clock where there is one): 1 is parity, above 1 we are faster. */
    double ratio(LabRow r) {
        return pytorchMs(r) / r.bestMs();
    }

    /** Our throughput as a fraction of the measured ceiling that bounds the op. */
    double fractionOfCeiling(LabRow r) {
        if (baseline == null || !sameKindOfDevice(r)) {
            return Double.NaN;
        }
        return r.throughput() / (r.unit().equals("GB/s") ? baseline.copyGbps() : baseline.fmaGflops());
    }

    String json() {
        StringBuilder b = new StringBuilder("{\n");
        if (baseline != null) {
            b.append(" \"peer\": {\"device\": ").append(Json.quote(baseline.device())).append(", \"torch\": ")
                    .append(Json.quote(baseline.torch())).append(", \"fp32FmaGflops\": ").append(num(baseline.fmaGflops()))
                    .append(", \"copyGbps\": ").append(num(baseline.copyGbps())).append("},\n");
        }
        b.append(" \"rows\": [\n");
        b.append(rows.stream().map(r -> "  {\"op\": " + Json.quote(r.op()) + ", \"shape\": " + Json.quote(r.shape())
                + ", \"backend\": " + Json.quote(r.backend()) + ", \"passed\": " + r.passed()
                + ", \"maxAbsError\": " + num(r.maxAbsError()) + ", \"maxRelError\": " + num(r.maxRelError())
                + ", \"latencyMs\": " + num(r.latencyMs()) + ", \"pipelinedMs\": " + num(r.pipelinedMs())
                + ", \"deviceMs\": " + num(r.deviceMs())
                + ", \"throughput\": " + num(r.throughput()) + ", \"unit\": " + Json.quote(r.unit())
                + ", \"pytorchMs\": " + num(pytorchMs(r)) + ", \"oursOverPytorch\": " + num(ratio(r))
                + ", \"fractionOfCeiling\": " + num(fractionOfCeiling(r))
                + ", \"error\": " + (r.error() == null ? "null" : Json.quote(r.error())) + "}")
                .collect(Collectors.joining(",\n")));
        return b.append("\n ]\n}\n").toString();
    }

    String markdown() {
        StringBuilder b = new StringBuilder("# Kernel lab\n\n");
        if (baseline != null) {
            b.append(String.format(Locale.ROOT, "PyTorch %s on %s, TF32 off; ceilings measured in the same session: "
                    + "FP32 FMA %s GFLOP/s, copy %s GB/s (bytes read + written).%n%n", baseline.torch(), baseline.device(),
                    orNotMeasured("%.0f", baseline.fmaGflops()), orNotMeasured("%.0f", baseline.copyGbps())));
        }
        b.append("Ours, per call: latency = one call and a synchronize (wall clock); pipelined = calls back to back, one"
                + " synchronize (wall clock); device = the same calls between two CUDA events on the backend's stream, the"
                + " figure set beside PyTorch's CUDA-event time (pipelined where a backend has no device clock)."
                + " Throughput and ratio use it. Ratio = PyTorch time / ours (above 1: ours faster).\n\n");
        b.append("| op | shape | backend | check | max abs err | latency ms | pipelined ms | device ms | throughput | PyTorch ms"
                + " | ours/PyTorch | of ceiling |\n");
        b.append("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (LabRow r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.op(),
                    r.shape(), r.backend(),
                    r.passed() ? "PASS" : "**FAIL**" + (r.error() == null ? "" : ": " + r.error().replace('|', '/')),
                    fmt("%.1e", r.maxAbsError()), fmt("%.4f", r.latencyMs()), fmt("%.4f", r.pipelinedMs()),
                    fmt("%.4f", r.deviceMs()),
                    Double.isNaN(r.throughput()) ? "" : String.format(Locale.ROOT, "%.1f %s", r.throughput(), r.unit()),
                    fmt("%.4f", pytorchMs(r)), fmt("%.2fx", ratio(r)), fmt("%.0f%%", 100 * fractionOfCeiling(r))));
        }
        return b.toString();
    }

    private static String fmt(String pattern, double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, pattern, v);
    }

    private static String orNotMeasured(String pattern, double v) {
        return Double.isNaN(v) ? "not measured" : String.format(Locale.ROOT, pattern, v);
    }

    private static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.6g", v);
    }
}

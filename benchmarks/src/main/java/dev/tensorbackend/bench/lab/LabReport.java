package dev.tensorbackend.bench.lab;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tensorbackend.network.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The kernel lab's rows beside PyTorch's: per op and shape, ours, PyTorch, ours/PyTorch
 * (PyTorch's time over ours: above 1 means we are faster) and the fraction of the card's
 * ceiling measured by the baseline in the same session: the FP32 FMA rate for compute-bound
 * ops, the device-to-device copy bandwidth for memory-bound ones.
 */
final class LabReport {
    private final List<LabRow> rows;
    private final Baseline baseline;
    /** The backends' settings the run was made with ({@code tensor.cuda.conv.kernel=gemm}, ...), to say so in the report. */
    private final Map<String, String> settings;

    LabReport(List<LabRow> rows, Baseline baseline) {
        this(rows, baseline, Map.of());
    }

    LabReport(List<LabRow> rows, Baseline baseline, Map<String, String> settings) {
        this.rows = rows;
        this.baseline = baseline;
        this.settings = new TreeMap<>(settings);
    }

    /**
     * The system properties that choose a backend's kernels or paths ({@code tensor.cuda.*}),
     * as this JVM has them: two runs that differ only there (say {@code tensor.cuda.conv.kernel=gemm}
     * against the launch rule) are told apart by their reports.
     */
    static Map<String, String> backendSettings(Properties properties) {
        Map<String, String> settings = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            if (name.startsWith("tensor.cuda.")) {
                settings.put(name, properties.getProperty(name));
            }
        }
        return settings;
    }

    /** PyTorch's median milliseconds per (op, shape), its ceilings, and where it ran. */
    record Baseline(Map<String, Double> ms, double fmaGflops, double copyGbps, String device, String torch) {

        static Baseline read(Path file) throws IOException {
            return parse(Files.readString(file));
        }

        static Baseline parse(String text) {
            JsonNode root;
            try {
                root = Json.MAPPER.readTree(text);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("PyTorch baseline JSON: " + e.getOriginalMessage(), e);
            }
            JsonNode info = root.path("info");
            Map<String, Double> ms = new LinkedHashMap<>();
            double fma = Double.NaN, copy = Double.NaN;
            for (JsonNode r : root.path("rows")) {
                String op = r.path("op").asText();
                switch (op) {
                    case "ceiling-fp32-fma" -> fma = number(r.get("gflops"));
                    case "ceiling-copy" -> copy = number(r.get("gbps"));
                    default -> ms.put(key(op, r.path("shape").asText()), number(r.get("ms")));
                }
            }
            return new Baseline(ms, fma, copy, info.path("device").asText("null"), info.path("torch").asText("null"));
        }

        /** A number, or a string holding one ("NaN"), as a double. */
        private static double number(JsonNode v) {
            if (v != null && v.isNumber()) {
                return v.doubleValue();
            }
            if (v != null && v.isTextual()) {
                return Double.parseDouble(v.asText());
            }
            throw new IllegalArgumentException("PyTorch baseline JSON: not a number: " + v);
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

    /** {@code {"peer": {...}, "rows": [...]}}, one row a line, one-space indent as the device scripts read it. */
    String json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        if (!settings.isEmpty()) {
            ObjectNode s = root.putObject("settings");
            settings.forEach(s::put);
        }
        if (baseline != null) {
            ObjectNode peer = root.putObject("peer");
            peer.put("device", baseline.device());
            peer.put("torch", baseline.torch());
            peer.putRawValue("fp32FmaGflops", num(baseline.fmaGflops()));
            peer.putRawValue("copyGbps", num(baseline.copyGbps()));
        }
        ArrayNode array = root.putArray("rows");
        for (LabRow r : rows) {
            ObjectNode o = array.addObject();
            o.put("op", r.op());
            o.put("shape", r.shape());
            o.put("backend", r.backend());
            o.put("passed", r.passed());
            o.putRawValue("maxAbsError", num(r.maxAbsError()));
            o.putRawValue("maxRelError", num(r.maxRelError()));
            o.putRawValue("latencyMs", num(r.latencyMs()));
            o.putRawValue("pipelinedMs", num(r.pipelinedMs()));
            o.putRawValue("deviceMs", num(r.deviceMs()));
            o.putRawValue("throughput", num(r.throughput()));
            o.put("unit", r.unit());
            o.putRawValue("pytorchMs", num(pytorchMs(r)));
            o.putRawValue("oursOverPytorch", num(ratio(r)));
            o.putRawValue("fractionOfCeiling", num(fractionOfCeiling(r)));
            o.put("error", r.error());
        }
        return Json.write(root, " ", 1, 2) + "\n";
    }

    String markdown() {
        StringBuilder b = new StringBuilder("# Kernel lab\n\n");
        if (!settings.isEmpty()) {
            b.append("Settings: ");
            b.append(String.join(", ", settings.entrySet().stream().map(e -> "`-D" + e.getKey() + "=" + e.getValue() + "`").toList()));
            b.append(" (the other backend settings at their defaults).\n\n");
        }
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

    /** Six significant digits; NaN and infinity (not measured) as null. */
    private static RawValue num(double v) {
        return new RawValue(Double.isNaN(v) || Double.isInfinite(v) ? "null" : String.format(Locale.ROOT, "%.6g", v));
    }
}

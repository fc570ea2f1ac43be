package dev.tensorbackend.bench.lab;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.Tolerance;
import dev.tensorbackend.bench.BenchBackends;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/**
 * The kernel lab: every op of the benchmark suite at every shape on a backend (cuda by
 * default), each checked against the CPU backend and timed by wall clock around a
 * synchronize, in one process and in seconds rather than JMH's minutes, so that it fits a
 * short GPU session. With PyTorch's numbers from {@code benchmarks/pytorch/baseline.py}
 * it writes {@code kernel-lab.json} and {@code kernel-lab.md}: ours, PyTorch, their ratio,
 * and the fraction of the card's measured ceilings.
 *
 * <pre>
 * KernelLab OUT_DIR [--backends cuda,cpu] [--baseline baseline.json] [--quick] [--budget-ms 60]
 *                   [--ops matmul,attention-qkt] [--shapes 1024,4096]
 * </pre>
 * The CPU (when listed) is timed on the quick cases only; the others take it seconds per call.
 * {@code --ops} and {@code --shapes} keep only the cases of those ops and shape labels (an
 * unknown name is refused with the known ones), for a run of seconds on a few kernels. The
 * {@code tensor.cuda.*} system properties the JVM was given (a kernel forced for timing) are
 * named at the top of both reports.
 * Exit status 1 when any case fails its check or throws, 2 for bad arguments.
 */
public final class KernelLab {
    private final List<String> backends;
    private final boolean quick;
    private final double budgetMs;

    KernelLab(List<String> backends, boolean quick, double budgetMs) {
        this.backends = backends;
        this.quick = quick;
        this.budgetMs = budgetMs;
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        Path baseline = null;
        List<String> backends = List.of("cuda");
        boolean quick = false;
        double budget = 60;
        List<String> ops = null;
        List<String> shapes = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backends" -> backends = Arrays.asList(args[++i].split(","));
                case "--baseline" -> baseline = Path.of(args[++i]);
                case "--quick" -> quick = true;
                case "--budget-ms" -> budget = Double.parseDouble(args[++i]);
                case "--ops" -> ops = Arrays.asList(args[++i].split(","));
                case "--shapes" -> shapes = Arrays.asList(args[++i].split(","));
                default -> {
                    if (args[i].startsWith("--") || out != null) {
                        System.err.println("kernel-lab: unknown argument " + args[i]
                                + "; usage: KernelLab OUT_DIR [--backends cuda,cpu] [--baseline FILE] [--quick] [--budget-ms N]"
                                + " [--ops OP,...] [--shapes LABEL,...]");
                        System.exit(2);
                    }
                    out = Path.of(args[i]);
                }
            }
        }
        if (out == null) {
            System.err.println("kernel-lab: no output folder given");
            System.exit(2);
        }
        String refusal = BenchBackends.shadowRefusal();
        if (refusal != null) {
            System.err.println("kernel-lab: " + refusal);
            System.exit(2);
        }
        List<LabCase> cases;
        try {
            cases = select(LabCatalog.all(), ops, shapes);
        } catch (IllegalArgumentException e) {
            System.err.println("kernel-lab: " + e.getMessage());
            System.exit(2);
            return;
        }
        List<LabRow> rows = new KernelLab(backends, quick, budget).run(cases);
        Files.createDirectories(out);
        LabReport report = new LabReport(rows, baseline == null ? null : LabReport.Baseline.read(baseline),
                LabReport.backendSettings(System.getProperties()));
        Files.writeString(out.resolve("kernel-lab.json"), report.json());
        Files.writeString(out.resolve("kernel-lab.md"), report.markdown());
        long failed = rows.stream().filter(r -> !r.passed()).count();
        System.out.println("kernel-lab: " + rows.size() + " rows, " + failed + " failed; wrote " + out.resolve("kernel-lab.md"));
        System.exit(failed == 0 ? 0 : 1);
    }

    /**
     * The cases whose op is one of {@code ops} and whose shape label one of {@code shapes}
     * (null: any), in the catalogue's order; a name no case has is refused, with the names.
     */
    static List<LabCase> select(List<LabCase> cases, List<String> ops, List<String> shapes) {
        known("op", ops, cases.stream().map(LabCase::op).toList());
        known("shape", shapes, cases.stream().filter(c -> ops == null || ops.contains(c.op())).map(LabCase::shape).toList());
        return cases.stream().filter(c -> (ops == null || ops.contains(c.op())) && (shapes == null || shapes.contains(c.shape())))
                .toList();
    }

    private static void known(String what, List<String> asked, List<String> present) {
        if (asked == null) {
            return;
        }
        Set<String> unknown = new TreeSet<>(asked);
        unknown.removeAll(present);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("no case has the " + what + (unknown.size() > 1 ? "s " : " ") + unknown
                    + "; known: " + String.join(",", new LinkedHashSet<>(present)));
        }
    }

    List<LabRow> run(List<LabCase> cases) {
        List<LabRow> rows = new ArrayList<>();
        try (Backend reference = Backends.create("cpu")) {
            for (String name : backends) {
                Backend backend;
                try {
                    backend = name.equals("cpu") ? reference : BenchBackends.open(name);
                } catch (RuntimeException e) {
                    System.out.println("kernel-lab: " + name + " left out: " + e.getMessage());
                    continue;
                }
                try {
                    for (LabCase c : cases) {
                        if ((quick || name.equals("cpu")) && !c.quick()) {
                            continue;
                        }
                        LabRow row = measure(c, backend, name, reference);
                        rows.add(row);
                        System.out.println(describe(row));
                    }
                } finally {
                    if (backend != reference) {
                        backend.close();
                    }
                }
            }
        }
        return rows;
    }

    private LabRow measure(LabCase c, Backend backend, String name, Backend reference) {
        try {
            float[] expected;
            try (LabCase.Prepared ref = c.prepare().apply(reference)) {
                expected = ref.check();
            }
            try (LabCase.Prepared p = c.prepare().apply(backend)) {
                Tolerance.Comparison cmp = c.tolerance().compare(expected, p.check());
                p.run();
                backend.synchronize();
                double latency = latencyMs(p, backend);
                int n = backToBack(latency);
                double pipelined = pipelinedMs(p, backend, n);
                double device = deviceMs(p, backend, n);
                double best = Double.isNaN(device) ? pipelined : device;
                return new LabRow(c.op(), c.shape(), name, cmp.passed(), cmp.maxAbsError(), cmp.maxRelError(),
                        latency, pipelined, device, c.work().throughput(best / 1e3), c.work().unit(),
                        cmp.passed() ? null : cmp.toString());
            }
        } catch (RuntimeException e) {
            return LabRow.failed(c, name, e.toString());
        }
    }

    /** Median of (one call, synchronize), repeated until the budget is spent (3 to 200 times). */
    private double latencyMs(LabCase.Prepared p, Backend backend) {
        List<Double> times = new ArrayList<>();
        long start = System.nanoTime();
        while (times.size() < 3 || (times.size() < 200 && (System.nanoTime() - start) / 1e6 < budgetMs)) {
            long t0 = System.nanoTime();
            p.run();
            backend.synchronize();
            times.add((System.nanoTime() - t0) / 1e6);
        }
        return median(times);
    }

    /** How many calls one round issues back to back: about a fifth of the budget, 1 to 100. */
    private int backToBack(double latencyMs) {
        return (int) Math.max(1, Math.min(100, budgetMs / 5 / Math.max(latencyMs, 1e-3)));
    }

    /** Per call, median over 5 rounds of n calls issued back to back and one synchronize. */
    private double pipelinedMs(LabCase.Prepared p, Backend backend, int n) {
        List<Double> times = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                p.run();
            }
            backend.synchronize();
            times.add((System.nanoTime() - t0) / 1e6 / n);
        }
        return median(times);
    }

    /** The same rounds timed by the device's clock, per call; NaN where the backend has none. */
    private double deviceMs(LabCase.Prepared p, Backend backend, int n) {
        List<Double> times = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            OptionalDouble ms = backend.deviceMillis(() -> {
                for (int i = 0; i < n; i++) {
                    p.run();
                }
            });
            if (ms.isEmpty()) {
                return Double.NaN;
            }
            times.add(ms.getAsDouble() / n);
        }
        return median(times);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static String describe(LabRow r) {
        if (r.error() != null && Double.isNaN(r.latencyMs())) {
            return String.format("%-24s %-14s %-5s FAILED %s", r.op(), r.shape(), r.backend(), r.error());
        }
        return String.format("%-24s %-14s %-5s %s  max|err| %.2e  latency %.4f ms  pipelined %.4f ms  device %.4f ms  %.1f %s",
                r.op(), r.shape(), r.backend(), r.passed() ? "PASS" : "FAIL", r.maxAbsError(), r.latencyMs(),
                r.pipelinedMs(), r.deviceMs(), r.throughput(), r.unit());
    }
}

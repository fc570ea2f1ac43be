package dev.tensorbackend.bench.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.api.Tolerance;
import dev.tensorbackend.bench.workload.Work;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KernelLabTest {
    private static final String BASELINE = """
            {"info": {"device": "NVIDIA H200", "torch": "2.11.0+cu130"},
             "rows": [
              {"op": "ceiling-copy", "shape": "1024 MiB", "ms": 0.5, "gbps": 4000.0},
              {"op": "ceiling-fp32-fma", "shape": "all SMs", "ms": 4.0, "gflops": 64000.0},
              {"op": "matmul", "shape": "1024", "ms": 0.0689, "gflops": 31168.0},
              {"op": "softmax-forward", "shape": "4096", "ms": 0.0616, "gbps": 2180.0}]}""";

    @Test
    void theBaselineGivesPytorchTimesAndTheCeilings() {
        LabReport.Baseline b = LabReport.Baseline.parse(BASELINE);
        assertEquals(0.0689, b.ms().get("matmul 1024"));
        assertEquals(64000.0, b.fmaGflops());
        assertEquals(4000.0, b.copyGbps());
        assertEquals(Set.of("matmul 1024", "softmax-forward 4096"), b.ms().keySet());
    }

    @Test
    void ratiosAndCeilingFractionsComeFromOurPipelinedTime() {
        // matmul timed by the device clock: 2 * 1024^3 flops in 0.2 ms = 10737 GFLOP/s (0.25 ms by wall clock);
        // softmax without a device time: 2 * 4 * 4096^2 bytes in 0.1 ms (wall clock) = 1342 GB/s
        LabRow matmul = new LabRow("matmul", "1024", "cuda", true, 0, 0, 0.3, 0.25, 0.2,
                2.0 * Math.pow(1024, 3) / 0.2e-3 / 1e9, "GFLOP/s", null);
        LabRow softmax = new LabRow("softmax-forward", "4096", "cuda", true, 0, 0, 0.2, 0.1, Double.NaN,
                8.0 * 4096 * 4096 / 0.1e-3 / 1e9, "GB/s", null);
        LabReport report = new LabReport(List.of(matmul, softmax), LabReport.Baseline.parse(BASELINE));
        assertEquals(0.0689 / 0.2, report.ratio(matmul), 1e-12, "the device time, not the wall-clock 0.25 ms");
        assertEquals(0.0616 / 0.1, report.ratio(softmax), 1e-12, "no device time: the pipelined one");
        assertEquals(10737.4 / 64000, report.fractionOfCeiling(matmul), 1e-5);
        assertEquals(1342.18 / 4000, report.fractionOfCeiling(softmax), 1e-5);
        String md = report.markdown();
        assertTrue(md.contains("| matmul | 1024 | cuda | PASS |"), md);
        assertTrue(md.contains("| 0.34x | 17% |"), md);
        assertTrue(md.contains("FP32 FMA 64000 GFLOP/s"), md);
    }

    /** The layout the device scripts and earlier reports have: one row a line, not-measured as null. */
    @Test
    void jsonKeepsItsLayoutOneRowALine() {
        LabRow matmul = new LabRow("matmul", "1024", "cuda", true, 0, 1.5e-7, 0.3, 0.2, Double.NaN, 10737.4, "GFLOP/s",
                null);
        LabRow failed = new LabRow("softmax-forward", "4096", "cuda", false, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                Double.NaN, Double.NaN, "GB/s", "planted \"failure\"");
        String json = new LabReport(List.of(matmul, failed), LabReport.Baseline.parse(BASELINE)).json();
        assertEquals("""
                {
                 "peer": {"device": "NVIDIA H200", "torch": "2.11.0+cu130", "fp32FmaGflops": 64000.0, "copyGbps": 4000.00},
                 "rows": [
                  {"op": "matmul", "shape": "1024", "backend": "cuda", "passed": true, "maxAbsError": 0.00000, "maxRelError": 1.50000e-07, \
                "latencyMs": 0.300000, "pipelinedMs": 0.200000, "deviceMs": null, "throughput": 10737.4, "unit": "GFLOP/s", "pytorchMs": 0.0689000, \
                "oursOverPytorch": 0.344500, "fractionOfCeiling": 0.167772, "error": null},
                  {"op": "softmax-forward", "shape": "4096", "backend": "cuda", "passed": false, "maxAbsError": null, \
                "maxRelError": null, "latencyMs": null, "pipelinedMs": null, "deviceMs": null, "throughput": null, "unit": "GB/s", "pytorchMs": 0.0616000, \
                "oursOverPytorch": null, "fractionOfCeiling": null, "error": "planted \\"failure\\""}
                 ]
                }
                """, json);
    }

    @Test
    void theBackendSettingsOfTheRunAreNamedInBothReports() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("tensor.cuda.conv.kernel", "gemm");
        p.setProperty("tensor.backend", "cuda"); // not a kernel setting
        p.setProperty("user.home", "/home/x");
        java.util.Map<String, String> settings = LabReport.backendSettings(p);
        assertEquals(java.util.Map.of("tensor.cuda.conv.kernel", "gemm"), settings);
        LabRow conv = new LabRow("conv2d-forward", "train-large", "cuda", true, 0, 0, 0.3, 0.2, 0.1, 1.0, "GFLOP/s", null);
        LabReport report = new LabReport(List.of(conv), null, settings);
        assertTrue(report.markdown().contains("Settings: `-Dtensor.cuda.conv.kernel=gemm`"), report.markdown());
        assertTrue(report.json().startsWith("{\n \"settings\": {\"tensor.cuda.conv.kernel\": \"gemm\"},\n \"rows\": ["), report.json());
        // none given: the reports as before
        assertFalse(new LabReport(List.of(conv), null, java.util.Map.of()).markdown().contains("Settings"));
        assertFalse(new LabReport(List.of(conv), null).json().contains("settings"));
    }

    @Test
    void cpuRowsAreNotSetBesidePytorchOnAGpu() {
        LabRow cpu = new LabRow("matmul", "1024", "cpu", true, 0, 0, 5, 5, Double.NaN, 430, "GFLOP/s", null);
        LabReport report = new LabReport(List.of(cpu), LabReport.Baseline.parse(BASELINE));
        assertTrue(Double.isNaN(report.pytorchMs(cpu)));
        assertTrue(Double.isNaN(report.fractionOfCeiling(cpu)));
        assertTrue(report.markdown().contains("| matmul | 1024 | cpu | PASS |"), report.markdown());
    }

    @Test
    void aCaseOutsideItsToleranceOrThrowingIsReportedAsFailedAndTheRestGoesOn() {
        LabCase right = square("right", false, false);
        LabCase wrong = square("wrong", true, false);
        LabCase throwing = square("throwing", false, true);
        List<LabRow> rows = new KernelLab(List.of("cpu"), false, 5).run(List.of(right, wrong, throwing));
        assertEquals(List.of("right", "wrong", "throwing"), rows.stream().map(LabRow::shape).collect(Collectors.toList()));
        assertTrue(rows.get(0).passed());
        assertNull(rows.get(0).error());
        assertTrue(rows.get(0).latencyMs() > 0 && rows.get(0).pipelinedMs() > 0);
        assertTrue(Double.isNaN(rows.get(0).deviceMs()), "the CPU has no device clock");
        assertFalse(rows.get(1).passed());
        assertTrue(rows.get(1).error().contains("FAIL"), rows.get(1).error());
        assertFalse(rows.get(2).passed());
        assertTrue(rows.get(2).error().contains("planted"), rows.get(2).error());
        assertTrue(Double.isNaN(rows.get(2).latencyMs()));
    }

    @Test
    void everyCaseOfTheCatalogueHasAPytorchPeerName() {
        Set<String> ops = LabCatalog.all().stream().map(LabCase::op).collect(Collectors.toSet());
        assertEquals(Set.of("matmul", "attention-qkt", "attention-av", "conv2d-forward", "conv2d-backward-input",
                "conv2d-backward-filter", "softmax-forward", "softmax-backward", "train-step"), ops);
    }

    @Test
    void opsAndShapesRestrictTheCasesInTheCataloguesOrder() {
        List<LabCase> all = LabCatalog.all();
        List<LabCase> matmuls = KernelLab.select(all, List.of("attention-av", "matmul", "attention-qkt"), null);
        assertEquals(LabCatalog.MATMUL, matmuls.stream().map(LabCase::shape).toList());
        assertTrue(matmuls.stream().allMatch(c -> Set.of("matmul", "attention-qkt", "attention-av").contains(c.op())));
        List<LabCase> two = KernelLab.select(all, List.of("matmul"), List.of("4096", "512"));
        assertEquals(List.of("matmul 512", "matmul 4096"), two.stream().map(c -> c.op() + " " + c.shape()).toList());
        assertEquals(all, KernelLab.select(all, null, null));
        assertEquals(List.of("softmax-forward", "softmax-backward"),
                KernelLab.select(all, null, List.of("8192")).stream().map(LabCase::op).toList());
    }

    @Test
    void anUnknownOpOrShapeIsRefusedWithTheKnownNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelLab.select(LabCatalog.all(), List.of("matmul", "gemm"), null));
        assertTrue(e.getMessage().startsWith("no case has the op [gemm]; known: matmul,attention-qkt,attention-av,conv2d-forward,"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KernelLab.select(LabCatalog.all(), List.of("matmul"), List.of("mid")));
        assertTrue(e.getMessage().startsWith("no case has the shape [mid]; known: 64,128,"), e.getMessage());
    }

    /**
     * x * x on a [4, 4] matrix of ones. The wrong case adds 1 to every element after the
     * first call, which is the checked one, on the candidate only: the lab compares the
     * candidate's first call with the reference's.
     */
    private static LabCase square(String shape, boolean wrongOnSecondBackend, boolean throwing) {
        int[] prepared = {0};
        return new LabCase("matmul", shape, Work.flops(128), new Tolerance(0, 0), true, b -> {
            int instance = prepared[0]++;
            if (throwing) {
                throw new IllegalStateException("planted failure");
            }
            Tensor x = b.upload(Shape.of(4, 4), ones(instance == 1 && wrongOnSecondBackend ? 2f : 1f));
            return new LabCase.Prepared() {
                @Override
                public float[] check() {
                    try (Tensor r = b.matmul(x, x)) {
                        return r.toArray();
                    }
                }

                @Override
                public void run() {
                    b.matmul(x, x).close();
                }

                @Override
                public void close() {
                    x.close();
                }
            };
        });
    }

    private static float[] ones(float v) {
        float[] a = new float[16];
        Arrays.fill(a, v);
        return a;
    }
}

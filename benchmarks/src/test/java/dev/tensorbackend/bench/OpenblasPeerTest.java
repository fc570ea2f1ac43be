package dev.tensorbackend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * OpenBLAS as a peer in the plan and the report's notes; the plain build has no JavaCPP, so it
 * must say so. The probe's output below is what {@code Openblas.main} and OpenBLAS
 * (OPENBLAS_VERBOSE=2) printed on the 2-core AMD EPYC (Zen 4) this was written on.
 */
class OpenblasPeerTest {
    private static final String PKG = "dev.tensorbackend.bench.";
    private static final String DESCRIPTION = "OpenBLAS 0.3.31 through JavaCPP presets 1.5.13, 2 threads (as our CPU backend)";
    private static final String PROBE_OUTPUT = "openblas probe: " + DESCRIPTION + "\nCore: Cooperlake\n";
    private static final PeerStatus LOADED = PeerStatus.measured(DESCRIPTION + ", core Cooperlake (OpenBLAS's choice for this CPU)");

    private static List<String> titles(List<BenchPlan.Run> runs) {
        return runs.stream().map(BenchPlan.Run::title).toList();
    }

    @Test
    void thePlainBuildHasNoOpenblasAndSaysSo() {
        PeerStatus s = OpenblasPeer.probe();
        assertFalse(s.usable());
        assertNull(s.description());
        assertEquals("OpenBLAS not run: the benchmarks were built without it (it comes with -Pbench)",
                BenchMain.openblasLine(s, BenchPlan.runs(List.of("cpu"), false, false, false, false, List.of()), List.of()));
    }

    @Test
    void openblasRunsBesideTheCpuBackendOnlyWhenItLoads() {
        List<BenchPlan.Run> runs = BenchPlan.runs(List.of("cpu"), false, false, false, true, List.of());
        assertEquals(List.of("Matmul on cpu", "EJML matmul", "OpenBLAS matmul", "Conv2d on cpu", "Softmax on cpu",
                "array copy (softmax's bandwidth ceiling)", "TrainStep on cpu"), titles(runs));
        BenchPlan.Run matmul = runs.get(2);
        assertEquals("OpenblasMatmulBench", matmul.benchmarkClass());
        assertEquals("^dev\\.tensorbackend\\.bench\\.OpenblasMatmulBench\\.(\\w*(kernelOnly|KernelOnly))$", matmul.includeRegex());
        assertTrue(Pattern.compile(matmul.includeRegex()).matcher(PKG + "OpenblasMatmulBench.kernelOnly").find());
        assertFalse(Pattern.compile(matmul.includeRegex()).matcher(PKG + "MatmulBench.kernelOnly").find());
        // the sizes our CPU backend gets, attention shapes included, in both modes
        List<String> tall = List.of("tall-16384x64x64", "tallbt-16384x64x64", "wgrad-64x16384x64");
        List<String> quick = new ArrayList<>(List.of("64", "128", "256", "512", "1024", "qkt-8x64x32", "av-8x64x32"));
        quick.addAll(tall);
        assertEquals(quick, List.of(matmul.params().get("size")));
        List<String> full = new ArrayList<>(List.of("64", "128", "256", "512", "1024", "2048", "4096", "qkt-8x64x32", "av-8x64x32",
                "qkt-32x512x64", "av-32x512x64"));
        full.addAll(tall);
        assertEquals(full, List.of(BenchPlan.runs(List.of("cpu"), true, false, false, true, List.of("openblas"))
                .get(0).params().get("size")));
        assertFalse(matmul.params().containsKey("backend"));
        assertFalse(titles(BenchPlan.runs(List.of("cpu"), false, false, false, false, List.of())).contains("OpenBLAS matmul"));
        assertFalse(titles(BenchPlan.runs(List.of("cpu"), false, false, true, List.of())).contains("OpenBLAS matmul"),
                "the PyTorch-only overload plans no OpenBLAS");
        assertEquals(List.of(), BenchPlan.runs(List.of("cuda"), false, true, true, true, List.of("openblas")),
                "OpenBLAS is compared with the CPU backend only");
    }

    @Test
    void benchOnlySelectsOpenblasAloneOrWithEveryMatmul() {
        assertEquals(List.of("OpenBLAS matmul"), titles(BenchPlan.runs(List.of("cpu"), false, false, true, true, List.of("openblas"))));
        assertEquals(List.of("Matmul on cpu", "EJML matmul", "PyTorch Matmul", "OpenBLAS matmul"),
                titles(BenchPlan.runs(List.of("cpu"), false, false, true, true, List.of("matmul"))));
        assertEquals(List.of("Softmax on cpu", "PyTorch Softmax", "array copy (softmax's bandwidth ceiling)"),
                titles(BenchPlan.runs(List.of("cpu"), false, false, true, true, List.of("softmax"))));
    }

    @Test
    void theReportSaysWhetherOpenblasRanAndWhyNot() {
        List<BenchPlan.Run> runs = BenchPlan.runs(List.of("cpu"), false, false, false, true, List.of("matmul"));
        assertEquals("OpenBLAS measured: OpenBLAS 0.3.31 through JavaCPP presets 1.5.13, 2 threads (as our CPU backend), "
                + "core Cooperlake (OpenBLAS's choice for this CPU)", BenchMain.openblasLine(LOADED, runs, List.of()));
        assertEquals("OpenBLAS not run: bench.only selects none of its benchmarks",
                BenchMain.openblasLine(LOADED, BenchPlan.runs(List.of("cpu"), false, false, false, true, List.of("softmax")), List.of()));
        assertEquals("OpenBLAS not run: all its benchmarks failed (see the JMH output)",
                BenchMain.openblasLine(LOADED, runs, List.of("OpenBLAS matmul")));
        assertEquals("OpenBLAS not run: it is compared with the cpu backend, which is not measured",
                BenchMain.openblasLine(PeerStatus.notRun("it is compared with the cpu backend, which is not measured"),
                        List.of(), List.of()));
        assertEquals(List.of("EJML " + BenchMain.ejmlVersion() + " (matmul on the CPU)",
                "OpenBLAS 0.3.31 through JavaCPP presets 1.5.13 (matmul on the CPU)"), BenchMain.peersThatRan(runs, List.of()));
        assertEquals(List.of("EJML " + BenchMain.ejmlVersion() + " (matmul on the CPU)"),
                BenchMain.peersThatRan(runs, List.of("OpenBLAS matmul")));
        // PyTorch's line is worded by the same code and is unaffected by OpenBLAS
        assertEquals("PyTorch not run: bench.only selects none of its benchmarks",
                BenchMain.pytorchLine(PeerStatus.measured("PyTorch"), runs, List.of()));
    }

    @Test
    void theProbeNamesTheCoreOpenblasPicked() {
        assertEquals(LOADED, OpenblasPeer.fromProbe(0, PROBE_OUTPUT, Map.of()));
        assertEquals(PeerStatus.measured(DESCRIPTION + ", core Haswell (forced by OPENBLAS_CORETYPE=Haswell in the environment)"
                        + ", OPENBLAS_L2_SIZE=1048576 set in the environment"),
                OpenblasPeer.fromProbe(0, "Core: Haswell\nopenblas probe: " + DESCRIPTION + "\n",
                        Map.of("OPENBLAS_CORETYPE", "Haswell", "OPENBLAS_L2_SIZE", "1048576")));
        assertEquals(PeerStatus.measured(DESCRIPTION + ", core not named (OpenBLAS printed no 'Core:' line) (OpenBLAS's choice for this CPU)"),
                OpenblasPeer.fromProbe(0, "openblas probe: " + DESCRIPTION + "\n", Map.of()));
    }

    @Test
    void aFailedProbeSaysWhyInOneLine() {
        assertEquals(PeerStatus.notRun("its probe (loading it and checking small products) failed: "
                        + "OpenBLAS's product for qkt-3x5x4 is wrong at batch 2, row 4, column 0: 0.0, expected 1.25"),
                OpenblasPeer.fromProbe(1, "Core: Cooperlake\nopenblas probe failed: OpenBLAS's product for qkt-3x5x4 is wrong"
                        + " at batch 2, row 4, column 0: 0.0, expected 1.25\n", Map.of()));
        assertEquals(PeerStatus.notRun("its probe (loading it and checking small products) failed: # An error report file is in hs_err.log"),
                OpenblasPeer.fromProbe(134, "# A fatal error has been detected by the Java Runtime Environment:\n"
                        + "# An error report file is in hs_err.log\n\n", Map.of()), "a crash: its last line");
        assertEquals(PeerStatus.notRun("its probe (loading it and checking small products) failed: exit status 137"),
                OpenblasPeer.fromProbe(137, "", Map.of()));
        assertFalse(OpenblasPeer.fromProbe(1, PROBE_OUTPUT, Map.of()).usable(), "a non-zero exit status is a failure");
    }
}

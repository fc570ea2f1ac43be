package dev.tensorbackend.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchPlanTest {
    private static final String PKG = "dev.tensorbackend.bench.";

    private static List<String> titles(List<BenchPlan.Run> runs) {
        return runs.stream().map(BenchPlan.Run::title).collect(Collectors.toList());
    }

    @Test
    void cpuAloneRunsKernelOnlyPlusEjmlAndSoftmaxsCopyCeiling() {
        List<BenchPlan.Run> runs = BenchPlan.runs(List.of("cpu"), false, false, List.of());
        assertEquals(List.of("Matmul on cpu", "EJML matmul", "Conv2d on cpu", "Softmax on cpu",
                        "array copy (softmax's bandwidth ceiling)", "TrainStep on cpu"),
                titles(runs));
        BenchPlan.Run copy = runs.get(4);
        assertTrue(Pattern.compile(copy.includeRegex()).matcher(PKG + "SoftmaxCopyBench.copy").find());
        assertArrayEquals(BenchPlan.SOFTMAX_QUICK, copy.params().get("size"), "the copy runs the softmax sizes");
        Pattern matmul = Pattern.compile(runs.get(0).includeRegex());
        assertTrue(matmul.matcher(PKG + "MatmulBench.kernelOnly").find());
        assertFalse(matmul.matcher(PKG + "MatmulBench.endToEnd").find());
        assertFalse(matmul.matcher(PKG + "CublasMatmulBench.kernelOnly").find());
        Pattern conv = Pattern.compile(runs.get(2).includeRegex());
        assertTrue(conv.matcher(PKG + "Conv2dBench.backwardFilterKernelOnly").find());
        assertFalse(conv.matcher(PKG + "Conv2dBench.backwardFilterEndToEnd").find());
    }

    @Test
    void cudaAddsEndToEndAndCublasOnlyWhereItLoads() {
        List<BenchPlan.Run> withCublas = BenchPlan.runs(List.of("cpu", "cuda"), false, true, List.of());
        assertTrue(titles(withCublas).contains("CublasMatmul on cuda"));
        BenchPlan.Run cudaMatmul = withCublas.get(1);
        assertEquals("Matmul on cuda", cudaMatmul.title());
        assertTrue(Pattern.compile(cudaMatmul.includeRegex()).matcher(PKG + "MatmulBench.endToEnd").find());
        assertFalse(titles(BenchPlan.runs(List.of("cpu", "cuda"), false, false, List.of())).contains("CublasMatmul on cuda"));
        List<BenchPlan.Run> cudaOnly = BenchPlan.runs(List.of("cuda"), false, true, List.of());
        assertFalse(titles(cudaOnly).contains("EJML matmul"));
    }

    @Test
    void quickModeLeavesTheSlowCpuSizesToFullMode() {
        List<BenchPlan.Run> quick = BenchPlan.runs(List.of("cpu"), false, false, List.of());
        List<BenchPlan.Run> full = BenchPlan.runs(List.of("cpu"), true, false, List.of());
        // each of these takes the plain-loop CPU backend several seconds or more per call
        assertSlowOnlyInFull(quick, full, "MatmulBench", "2048", "4096", "qkt-32x512x64", "av-32x512x64");
        assertSlowOnlyInFull(quick, full, "EjmlMatmulBench", "2048", "4096");
        assertSlowOnlyInFull(quick, full, "Conv2dBench", "large");
        assertSlowOnlyInFull(quick, full, "SoftmaxBench", "8192");
        assertSlowOnlyInFull(quick, full, "TrainStepBench", "large");
        // the peers get our sizes in both modes, so every ratio has both sides
        List<BenchPlan.Run> quickPeers = BenchPlan.runs(List.of("cpu"), false, false, true, true, List.of());
        List<BenchPlan.Run> fullPeers = BenchPlan.runs(List.of("cpu"), true, false, true, true, List.of());
        for (String peer : List.of("PytorchMatmulBench", "OpenblasMatmulBench")) {
            assertEquals(sizes(quick, "MatmulBench"), sizes(quickPeers, peer), peer);
            assertEquals(sizes(full, "MatmulBench"), sizes(fullPeers, peer), peer);
        }
    }

    private static void assertSlowOnlyInFull(List<BenchPlan.Run> quick, List<BenchPlan.Run> full, String cls,
                                             String... slow) {
        List<String> q = sizes(quick, cls);
        List<String> f = sizes(full, cls);
        for (String s : slow) {
            assertFalse(q.contains(s), cls + " " + s + " in quick mode: " + q);
            assertTrue(f.contains(s), cls + " " + s + " missing from full mode: " + f);
        }
        assertTrue(f.containsAll(q), cls + ": full mode " + f + " lacks some of quick mode's " + q);
    }

    private static List<String> sizes(List<BenchPlan.Run> runs, String cls) {
        return runs.stream().filter(r -> r.benchmarkClass().equals(cls))
                .flatMap(r -> r.params().entrySet().stream())
                .filter(e -> !e.getKey().equals("backend"))
                .flatMap(e -> Arrays.stream(e.getValue()))
                .collect(Collectors.toList());
    }

    @Test
    void onlyKeepsTheNamedClasses() {
        assertEquals(List.of("Softmax on cpu", "array copy (softmax's bandwidth ceiling)"),
                titles(BenchPlan.runs(List.of("cpu"), false, false, List.of("SOFTMAX"))));
    }

    @Test
    void jmhJsonMergeJoinsArrays(@TempDir Path dir) throws IOException {
        Path a = Files.writeString(dir.resolve("a.json"), "[\n {\"x\": 1}\n]\n");
        Path b = Files.writeString(dir.resolve("b.json"), "[ ]");
        Path c = Files.writeString(dir.resolve("c.json"), "[{\"y\": 2}, {\"z\": 3}]");
        String merged = JmhJsonMerge.merge(List.of(a, b, c, dir.resolve("missing.json")));
        assertEquals("[\n{\"x\": 1},\n{\"y\": 2}, {\"z\": 3}\n]\n", merged);
        assertEquals("[]\n", JmhJsonMerge.merge(List.of(b)));
    }

    @Test
    void theReportNamesTheEjmlVersionThePomPins() {
        assertTrue(BenchMain.ejmlVersion().matches("\\d+\\.\\d+\\.\\d+"), BenchMain.ejmlVersion());
    }

    @Test
    void theReportNamesOnlyPeersThatRan() {
        List<BenchPlan.Run> withEjml = BenchPlan.runs(List.of("cpu"), false, false, List.of("matmul"));
        assertEquals(List.of("EJML " + BenchMain.ejmlVersion() + " (matmul on the CPU)"), BenchMain.peersThatRan(withEjml, List.of()));
        assertEquals(List.of(), BenchMain.peersThatRan(withEjml, List.of("EJML matmul")), "EJML failed: not a peer");
        assertEquals(List.of(), BenchMain.peersThatRan(BenchPlan.runs(List.of("cpu"), false, false, List.of("softmax")), List.of()),
                "bench.only=softmax runs no EJML");
        List<BenchPlan.Run> withAll = BenchPlan.runs(List.of("cpu"), false, false, true, true, List.of("matmul"));
        assertEquals(List.of("EJML " + BenchMain.ejmlVersion() + " (matmul on the CPU)",
                "PyTorch " + BenchMain.version("pytorch.version") + " through DJL " + BenchMain.version("djl.version") + " (CPU)",
                "OpenBLAS 0.3.31 through JavaCPP presets 1.5.13 (matmul on the CPU)"), BenchMain.peersThatRan(withAll, List.of()));
    }
}

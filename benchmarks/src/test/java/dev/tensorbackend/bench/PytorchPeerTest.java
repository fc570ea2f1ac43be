package dev.tensorbackend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** PyTorch as a peer in the plan and the report's notes; the plain build has no DJL, so it must say so. */
class PytorchPeerTest {
    private static final PeerStatus LOADED = PeerStatus.measured("PyTorch 2.7.1 through DJL, CPU, 2 threads");

    private static List<String> titles(List<BenchPlan.Run> runs) {
        return runs.stream().map(BenchPlan.Run::title).toList();
    }

    @Test
    void thePlainBuildHasNoDjlAndSaysSo() {
        PeerStatus s = PytorchPeer.probe();
        assertFalse(s.usable());
        assertNull(s.description());
        assertEquals(PytorchPeer.BUILT_WITHOUT, s.whyNot());
    }

    @Test
    void pytorchRunsBesideTheCpuBackendOnlyWhenItLoads() {
        List<BenchPlan.Run> runs = BenchPlan.runs(List.of("cpu"), false, false, true, List.of());
        assertEquals(List.of("Matmul on cpu", "EJML matmul", "PyTorch Matmul", "Conv2d on cpu", "PyTorch Conv2d",
                "Softmax on cpu", "PyTorch Softmax", "array copy (softmax's bandwidth ceiling)", "TrainStep on cpu", "PyTorch TrainStep"), titles(runs));
        BenchPlan.Run matmul = runs.get(2);
        assertEquals("^dev\\.tensorbackend\\.bench\\.PytorchMatmulBench\\.(\\w*(kernelOnly|KernelOnly))$", matmul.includeRegex());
        assertEquals(List.of("64", "128", "256", "512", "1024", "qkt-8x64x32", "av-8x64x32", "tall-16384x64x64", "tallbt-16384x64x64",
                "wgrad-64x16384x64"), List.of(matmul.params().get("size")));
        assertFalse(matmul.params().containsKey("backend"));
        assertFalse(titles(BenchPlan.runs(List.of("cpu"), false, false, false, List.of())).contains("PyTorch Matmul"));
        assertFalse(titles(BenchPlan.runs(List.of("cuda"), false, false, true, List.of())).contains("PyTorch Matmul"));
        assertEquals(List.of("Softmax on cpu", "PyTorch Softmax", "array copy (softmax's bandwidth ceiling)"),
                titles(BenchPlan.runs(List.of("cpu"), false, false, true, List.of("softmax"))));
    }

    @Test
    void theReportSaysWhetherPytorchRanAndWhyNot() {
        List<BenchPlan.Run> runs = BenchPlan.runs(List.of("cpu"), false, false, true, List.of("softmax"));
        assertEquals("PyTorch measured: PyTorch 2.7.1 through DJL, CPU, 2 threads", BenchMain.pytorchLine(LOADED, runs, List.of()));
        assertEquals("PyTorch not run: the benchmarks were built without DJL (it comes with -Pbench)",
                BenchMain.pytorchLine(PytorchPeer.probe(), runs, List.of()));
        assertEquals("PyTorch not run: bench.only selects none of its benchmarks",
                BenchMain.pytorchLine(LOADED, BenchPlan.runs(List.of("cpu"), false, false, true, List.of("ejml")), List.of()));
        assertEquals("PyTorch not run: all its benchmarks failed (see the JMH output)",
                BenchMain.pytorchLine(LOADED, runs, List.of("PyTorch Softmax")));
        assertTrue(BenchMain.peersThatRan(runs, List.of()).get(0).startsWith("PyTorch 2.7.1 through DJL 0.36.0"),
                BenchMain.peersThatRan(runs, List.of()).toString());
        assertEquals(List.of(), BenchMain.peersThatRan(runs, List.of("PyTorch Softmax")));
    }

    @Test
    void aLoadFailureIsOneLineFromTheRootCause() {
        Exception e = new RuntimeException("wrapper", new UnsatisfiedLinkError("libtorch.so: cannot open\nmore detail"));
        assertEquals("libtorch.so: cannot open", PeerStatus.oneLine(e));
        assertEquals("IllegalStateException", PeerStatus.oneLine(new IllegalStateException()));
    }
}

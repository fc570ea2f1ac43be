package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.check.CrossCheck;
import dev.tensorbackend.api.check.CrossCheckReport;
import dev.tensorbackend.api.check.OpCase;
import dev.tensorbackend.cpu.CpuBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every op on CUDA against the CPU oracle with the op suite's seeded inputs, shapes and
 * per-op tolerances; it must cover every Backend method. Skipped with the reason where CUDA
 * is unusable. Runs once per matmul path (cublas falls back to the kernel where
 * libcublas.so.12 is missing, and says so). On the mock driver (the build's mock-driver run)
 * the few cases too slow to emulate on the CPU are left out, as in EmulatedCudaCrossCheckTest.
 */
class CudaCrossCheckTest {

    @ParameterizedTest(name = "matmul path {0}")
    @ValueSource(strings = {"kernel", "cublas"})
    void everyOpMatchesTheCpu(String matmulPath) {
        try (CudaBackend cuda = GpuAssumptions.open(matmulPath); Backend cpu = new CpuBackend()) {
            // on the mock driver the kernels run on the CPU: the same cases as the emulated run
            List<OpCase> cases = GpuAssumptions.onMockDriver()
                    ? CrossCheck.cases().stream().filter(c -> !EmulatedCudaCrossCheckTest.tooSlowToEmulate(c)).toList()
                    : CrossCheck.cases();
            CrossCheckReport report = CrossCheck.run(cuda, cpu, cases);
            StringBuilder table = new StringBuilder("matmul path " + cuda.matmulPath() + "\n");
            report.summaries().forEach(s -> table.append(String.format("%-24s %3d cases  max|err| %.3g  max rel %.3g  %s%n",
                    s.method(), s.cases(), s.maxAbsError(), s.maxRelError(), s.passed() ? "PASS" : "FAIL " + s.firstFailure())));
            System.out.print(table);
            assertTrue(report.passed(), table::toString);
            Set<String> covered = report.results().stream().map(r -> r.opCase().method()).collect(Collectors.toSet());
            Set<String> expected = CrossCheck.backendMethods();
            expected.removeAll(CrossCheck.NOT_COMPARED.keySet());
            assertEquals(expected, covered, "Backend methods the CUDA run compared");
            assertEquals(0, cuda.liveAllocations(), "every case closed its tensors");
        }
    }
}

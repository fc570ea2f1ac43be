package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.check.CrossCheck;
import dev.tensorbackend.api.check.CrossCheckReport;
import dev.tensorbackend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * The whole op suite, CudaBackend with our kernels executed on the CPU by the emulated device
 * against the CPU oracle, with the tolerances the GPU run uses.
 */
class EmulatedCudaCrossCheckTest {

    @Test
    void everyOpOfTheCudaBackendMatchesTheCpuUnderEmulation() {
        try (CudaBackend cuda = CudaBackend.on(EmulatedDevice.start(EmulatedDevice.assumeServer()));
             Backend cpu = new CpuBackend()) {
            CrossCheckReport report = CrossCheck.run(cuda, cpu);
            StringBuilder table = new StringBuilder();
            report.summaries().forEach(s -> table.append(String.format("%-24s %3d cases  max|err| %.3g  max rel %.3g  %s%n",
                    s.method(), s.cases(), s.maxAbsError(), s.maxRelError(), s.passed() ? "PASS" : "FAIL " + s.firstFailure())));
            assertTrue(report.passed(), table::toString);
            java.util.Set<String> expected = new java.util.TreeSet<>(CrossCheck.backendMethods());
            expected.removeAll(CrossCheck.NOT_COMPARED.keySet());
            assertEquals(expected, new java.util.TreeSet<>(CrossCheck.coveredMethods(CrossCheck.cases())));
            assertEquals(0, cuda.liveAllocations(), "every case freed its device memory");
        }
    }
}

package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.check.CrossCheck;
import dev.tensorbackend.api.check.CrossCheckReport;
import dev.tensorbackend.api.check.OpCase;
import java.util.List;
import dev.tensorbackend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * The whole op suite, CudaBackend with our kernels executed on the CPU by the emulated device
 * against the CPU oracle, with the tolerances the GPU run uses.
 */
class EmulatedCudaCrossCheckTest {

    /**
     * The few cases of a million block-threads, each a fiber switch or more on the CPU: seconds
     * apiece. Their code paths stay covered: the sum's 1024-partial cap by [262145], the large
     * convolution's kernels by the smaller ones, the 2^18-element ops by [64, 257]. They run on a GPU.
     */
    static boolean tooSlowToEmulate(OpCase c) {
        return c.description().startsWith("[1000003]") || c.description().startsWith("[262144]")
                || c.description().startsWith("input[4, 8, 32, 32]");
    }

    @Test
    void everyOpOfTheCudaBackendMatchesTheCpuUnderEmulation() {
        try (CudaBackend cuda = CudaBackend.on(EmulatedDevice.start(EmulatedDevice.assumeServer()));
             Backend cpu = new CpuBackend()) {
            List<OpCase> cases = CrossCheck.cases().stream().filter(c -> !tooSlowToEmulate(c)).toList();
            assertEquals(CrossCheck.cases().size() - 11, cases.size(), "the cases left out: 1 sum, 7 element-wise, 3 convolution");
            CrossCheckReport report = CrossCheck.run(cuda, cpu, cases);
            StringBuilder table = new StringBuilder();
            report.summaries().forEach(s -> table.append(String.format("%-24s %3d cases  max|err| %.3g  max rel %.3g  %s%n",
                    s.method(), s.cases(), s.maxAbsError(), s.maxRelError(), s.passed() ? "PASS" : "FAIL " + s.firstFailure())));
            assertTrue(report.passed(), table::toString);
            java.util.Set<String> expected = new java.util.TreeSet<>(CrossCheck.backendMethods());
            expected.removeAll(CrossCheck.NOT_COMPARED.keySet());
            assertEquals(expected, new java.util.TreeSet<>(CrossCheck.coveredMethods(cases)));
            assertEquals(0, cuda.liveAllocations(), "every case freed its device memory");
        }
    }
}

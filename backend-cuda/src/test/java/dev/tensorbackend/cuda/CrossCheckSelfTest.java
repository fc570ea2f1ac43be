package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.api.check.CaseResult;
import dev.tensorbackend.api.check.CrossCheck;
import dev.tensorbackend.api.testing.DelegatingBackend;
import dev.tensorbackend.api.check.CrossCheckReport;
import dev.tensorbackend.api.check.OpCase;
import dev.tensorbackend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

/**
 * The cross-check op suite itself, on the CPU: it passes the CPU against itself, covers every
 * Backend method, and fails, naming the op, for backends that are wrong in one op each, so a
 * CUDA run that passes it means something.
 */
class CrossCheckSelfTest {

    private static CrossCheckReport check(Backend candidate) {
        try (Backend reference = new CpuBackend()) {
            return CrossCheck.run(candidate, reference);
        }
    }

    /** The ops (method keys) with a failing case. */
    private static Set<String> failingMethods(CrossCheckReport report) {
        return report.failures().stream().map(r -> r.opCase().method()).collect(Collectors.toSet());
    }

    @Test
    void cpuAgainstItselfPassesEveryCase() {
        CrossCheckReport report = check(new CpuBackend());
        assertTrue(report.passed(), () -> "failures: " + report.failures());
        assertTrue(report.results().size() > 150, "cases: " + report.results().size());
        for (CrossCheckReport.OpSummary s : report.summaries()) {
            assertEquals(0.0, s.maxAbsError(), s.method() + " against itself");
        }
    }

    @Test
    void casesCoverEveryBackendMethod() {
        List<OpCase> cases = CrossCheck.cases();
        assertEquals(Set.of(), CrossCheck.uncoveredMethods(cases), "Backend methods no case compares");
        // the reflection sees the interface as it is, overloads and defaults included
        Set<String> methods = CrossCheck.backendMethods();
        assertTrue(methods.containsAll(Set.of("matmul/4", "matmul/2", "sgdUpdate/3", "conv2dBackwardFilter/4")), methods::toString);
        assertEquals(methods.size() - CrossCheck.NOT_COMPARED.size(), CrossCheck.coveredMethods(cases).size());
    }

    @Test
    void casesSpanTheShapesTheIssueAsksFor() {
        List<String> matmul = CrossCheck.cases().stream().filter(c -> c.method().equals("matmul/4"))
                .map(OpCase::description).toList();
        assertTrue(matmul.stream().anyMatch(d -> d.startsWith("m,k,n=[1, 1, 1]")), "1x1");
        assertTrue(matmul.stream().anyMatch(d -> d.startsWith("m,k,n=[1031, 5, 3]")), "tall and skinny");
        assertTrue(matmul.stream().anyMatch(d -> d.contains("a shared")), "broadcast batch");
        assertTrue(matmul.stream().anyMatch(d -> d.contains("a^T b^T")), "both transposed");
    }

    @Test
    void aWrongSoftmaxFailsAndOnlySoftmaxIsNamed() {
        Backend wrong = new DelegatingBackend("wrong-softmax", new CpuBackend()) {
            @Override
            public Tensor softmax(Tensor x) {
                try (Tensor y = d.softmax(x)) {
                    return d.scale(y, 1.001f); // rows now sum to 1.001
                }
            }
        };
        CrossCheckReport report = check(wrong);
        assertFalse(report.passed());
        assertEquals(Set.of("softmax/1"), failingMethods(report));
        CrossCheckReport.OpSummary s = report.summaries().stream().filter(x -> x.method().equals("softmax/1"))
                .findFirst().orElseThrow();
        assertFalse(s.passed());
        assertTrue(s.firstFailure().startsWith("softmax/1"), s.firstFailure());
        assertTrue(s.maxRelError() > 5e-4 && s.maxRelError() < 2e-3, "relative error of a 0.1% scaling: " + s.maxRelError());
    }

    @Test
    void aMatmulThatIgnoresTransBFailsOnlyWhereBIsTransposed() {
        Backend wrong = new DelegatingBackend("wrong-matmul", new CpuBackend()) {
            @Override
            public Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB) {
                if (transB && b.shape().dim(-1) == b.shape().dim(-2)) {
                    return d.matmul(a, transA, b, false); // square b: shapes still fit, values do not
                }
                return d.matmul(a, transA, b, transB);
            }
        };
        CrossCheckReport report = check(wrong);
        assertEquals(Set.of("matmul/4"), failingMethods(report));
        assertTrue(report.failures().stream().allMatch(r -> r.opCase().description().contains("b^T")));
    }

    @Test
    void reluThatSwallowsNanFails() {
        Backend wrong = new DelegatingBackend("nan-hiding-relu", new CpuBackend()) {
            @Override
            public Tensor relu(Tensor x) {
                float[] v = d.download(x);
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.max(v[i], 0f) == v[i] ? v[i] : 0f; // NaN becomes 0
                }
                return d.upload(x.shape(), v);
            }
        };
        CrossCheckReport report = check(wrong);
        assertEquals(Set.of("relu/1"), failingMethods(report));
        CaseResult first = report.failures().get(0);
        assertTrue(Float.isNaN(first.comparison().expected()), first.toString());
    }

    @Test
    void aSumThatDropsOneElementFailsEvenForAMillionElements() {
        Backend wrong = new DelegatingBackend("sum-drops-last", new CpuBackend()) {
            @Override
            public Tensor sum(Tensor x) {
                float[] v = d.download(x);
                double total = 0;
                for (int i = 0; i < v.length - 1; i++) {
                    total += v[i];
                }
                return d.upload(dev.tensorbackend.api.Shape.scalar(), new float[] {(float) total});
            }
        };
        CrossCheckReport report = check(wrong);
        assertEquals(Set.of("sum/1"), failingMethods(report));
        assertTrue(report.failures().stream().anyMatch(r -> r.opCase().description().equals("[1000003]")),
                () -> "failing: " + report.failures());
    }

    @Test
    void aCrashingOpIsAFailureThatNamesTheOpAndTheError() {
        Backend wrong = new DelegatingBackend("crashing-filter-gradient", new CpuBackend()) {
            @Override
            public Tensor conv2dBackwardFilter(Tensor input, Tensor gradOutput, dev.tensorbackend.api.Shape filterShape,
                                               dev.tensorbackend.api.ConvSpec spec) {
                throw new IllegalStateException("kernel exploded");
            }
        };
        CrossCheckReport report = check(wrong);
        assertEquals(Set.of("conv2dBackwardFilter/4"), failingMethods(report));
        assertTrue(report.failures().get(0).toString().contains("kernel exploded"), report.failures().get(0).toString());
    }
}

package dev.tensorbackend.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tolerance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The documented pass, on the selected backend ({@code -Dtensor.backend}, default auto),
 * pinned to values derived independently in float64 by docs/derive_documented_pass.py
 * (whose gradients agree with central differences to 1e-9) and rounded to 10 digits. The
 * hand-worked solution's numbers are wrong where documented-pass.md says; none are used.
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class DocumentedPassTest {
    /** float32 through about ten dependent ops; the smallest values (1e-6) need the atol. */
    private static final Tolerance TOL = new Tolerance(2e-5, 1e-4);

    private static final Map<String, float[]> FORWARD = Map.of(
            "CN", new float[] {1, 0, -2, 1},
            "Q", new float[] {1, -2, -2, 6},
            "K", new float[] {1, -1, 1, 2},
            "V", new float[] {3, 1, -7, -1},
            "S", new float[] {2.1213203436f, -2.1213203436f, -5.6568542495f, 7.0710678119f},
            "A", new float[] {0.9858339641f, 0.0141660359f, 0.0000029671f, 0.9999970329f},
            "SA", new float[] {2.8583396412f, 0.9716679282f, -6.999970329f, -0.9999940658f},
            "z", new float[] {0.8300194379f},
            "yhat", new float[] {0.8300194379f},
            "C", new float[] {0.0288933915f});

    private static final Map<String, float[]> GRADIENTS = Map.ofEntries(
            Map.entry("dyhat", new float[] {-0.3399611242f}),
            Map.entry("dSA", new float[] {-0.3399611242f, -0.3399611242f, 0, -0.6799222485f}),
            Map.entry("dV", new float[] {-0.3351452227f, -0.3351472401f, -0.0048159015f, -0.6847361325f}),
            Map.entry("dA", new float[] {-1.3598444969f, 2.7196889938f, -0.6799222485f, 0.6799222485f}),
            Map.entry("dS", new float[] {-0.056972151f, 0.056972151f, -0.0000040348f, 0.0000040348f}),
            Map.entry("dQ", new float[] {0, 0.1208561829f, 0, 0.0000085591f}),
            Map.entry("dK", new float[] {-0.0402796883f, 0.0805536705f, 0.0402796883f, -0.0805536705f}),
            Map.entry("dCN", new float[] {-1.7031286329f, 0.1208712837f, -0.5783675964f, -0.5590640481f}),
            Map.entry("F", new float[] {-1.7980634281f, -5.1093858988f, -3.4122949336f, -0.5590640481f}),
            Map.entry("bC", new float[] {-2.7196889938f}),
            Map.entry("WQ", new float[] {0, 0.1208390648f, 0, 0.0000085591f}),
            Map.entry("WK", new float[] {-0.1208390648f, 0.2416610114f, 0.0402796883f, -0.0805536705f}),
            Map.entry("WV", new float[] {-0.3255134198f, 1.0343250249f, -0.0048159015f, -0.6847361325f}),
            Map.entry("WD", new float[] {-0.9717243579f, -0.3303293213f, 2.3797177826f, 0.3399591068f}),
            Map.entry("bD", new float[] {-0.3399611242f}));

    private static final Map<String, float[]> UPDATED = Map.of(
            "F", new float[] {1.1798063428f, 0.5109385899f, -0.6587705066f, 0.0559064048f},
            "bC", new float[] {1.2719688993f},
            "WQ", new float[] {1, -2.0120839065f, 0, 1.9999991441f},
            "WK", new float[] {1.0120839065f, -1.0241661011f, 2.9959720312f, 0.008055367f},
            "WV", new float[] {3.032551342f, 0.8965674975f, -0.9995184099f, 1.0684736133f},
            "WD", new float[] {1.0971724358f, 1.0330329321f, -0.2379717783f, 1.9660040893f},
            "bD", new float[] {-0.9660038876f});

    private Backend backend;
    private PassRecord record;

    /** The backend the pass runs on: the selected one here; subclasses pin the others. */
    protected Backend newBackend() {
        return Backends.create();
    }

    @BeforeAll
    void runPass() {
        // the mock-driver run (network/pom.xml): cuda through backend-cuda's mock libcuda.so.1
        String mock = System.getProperty("tensor.cuda.mock");
        assumeTrue(mock == null || Files.isRegularFile(Path.of(mock)), () -> "mock CUDA driver not built at " + mock
                + " (backend-cuda's build makes it with g++)");
        if (mock != null) { // the mock stands in for the driver, not for nvcc
            String reason = Backends.provider("cuda", Backends.providers()).availability().reason();
            assumeTrue(reason == null || !reason.startsWith("kernels not built"), () -> "CUDA not usable here: " + reason);
        }
        backend = newBackend();
        record = DocumentedPass.run(backend);
    }

    @AfterAll
    void close() {
        if (backend != null) {
            backend.close();
        }
    }

    private void check(String section, Map<String, float[]> expected) {
        assertEquals(DocumentedPass.ORDER.get(section), record.section(section).stream().map(PassRecord.Entry::name).toList(),
                section + " lists every value in the documented order");
        expected.forEach((name, values) -> {
            Tolerance.Comparison c = TOL.compare(values, record.get(section, name).values());
            assertTrue(c.passed(), section + " " + name + " on " + record.backend() + ": " + c);
        });
        assertEquals(expected.keySet().size(), record.section(section).size());
    }

    @Test
    void forwardValues() {
        check("forward", FORWARD);
    }

    @Test
    void gradients() {
        check("gradients", GRADIENTS);
    }

    @Test
    void updatedParameters() {
        check("updated", UPDATED);
    }

    @Test
    void shapesAreShownAsTheHandWorkedSolutionWritesThem() {
        assertEquals(Shape.of(2, 2), record.get("forward", "A").shape());
        assertEquals(Shape.scalar(), record.get("forward", "C").shape());
        assertEquals(Shape.of(4), record.get("updated", "WD").shape());
        assertEquals(Shape.of(2, 2), record.get("gradients", "F").shape());
        assertEquals(List.of("forward", "gradients", "updated"), DocumentedPass.SECTIONS);
    }

    @Test
    void differsFromTheHandWorkedNumbersWhereTheyAreWrong() {
        // mistakes 1-3 give yhat = 3.06; mistake 4 gives dC/dyhat = -4.12; mistake 5 gives bD = 0.59
        assertTrue(Math.abs(record.get("forward", "yhat").values()[0] - 3.06f) > 1);
        assertTrue(Math.abs(record.get("gradients", "dyhat").values()[0] + 4.12f) > 1);
        assertTrue(Math.abs(record.get("updated", "bD").values()[0] - 0.59f) > 1);
    }
}

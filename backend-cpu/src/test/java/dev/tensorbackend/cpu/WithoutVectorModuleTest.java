package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Runs only in the surefire execution {@code without-vector-module} (see backend-cpu's pom):
 * a JVM without {@code jdk.incubator.vector}, which logs every class it loads to the file
 * named by the system property {@value #CLASS_LOG}. The backend must pick the scalar kernels, say so once on stderr, work,
 * and never load {@link VectorKernels}.
 */
class WithoutVectorModuleTest {
    static final String CLASS_LOG = "tensor.test.classLog";

    @Test
    void theBackendFallsBackToScalarKernelsSaysSoOnceAndNeverLoadsTheVectorClass() throws IOException {
        assumeFalse(ModuleLayer.boot().findModule(FastKernelSelection.VECTOR_MODULE).isPresent(),
                "this JVM has jdk.incubator.vector; the check runs in the surefire execution without-vector-module");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            CpuBackend first = new CpuBackend(), second = new CpuBackend();
            assertEquals("scalar", first.kernelsName());
            assertEquals("scalar", second.kernelsName());
            Tensor a = first.upload(Shape.of(2, 3), new float[] {1, 2, 3, 4, 5, 6});
            Tensor b = first.upload(Shape.of(3, 2), new float[] {7, 8, 9, 10, 11, 12});
            assertArrayEquals(new float[] {58, 64, 139, 154}, first.matmul(a, false, b, false).toArray());
            // softmax's exp (FloatExp) is plain Java: it runs here too, subnormal and -inf rows included
            float[] logits = {1, 2, 3, -100, 0, 0.5f, Float.NEGATIVE_INFINITY, 0, -1};
            float[] expected = ReferenceKernels.softmax(logits, 3, 3);
            float[] actual = first.softmax(first.upload(Shape.of(3, 3), logits)).toArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-6f * expected[i] + 1e-44f, "softmax element " + i);
            }
        } finally {
            System.setErr(original);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), "exactly one notice for two backends, got: " + text);
        assertTrue(text.contains("--add-modules jdk.incubator.vector"), text);

        String logName = System.getProperty(CLASS_LOG);
        assertTrue(logName != null && Files.exists(Path.of(logName)),
                "the execution's argLine logs loaded classes to the file named by -D" + CLASS_LOG + ", got " + logName);
        Path log = Path.of(logName);
        String loaded = Files.readString(log);
        assertTrue(loaded.contains(ScalarKernels.class.getName()), "the log lists loaded classes");
        assertFalse(loaded.contains("dev.tensorbackend.cpu.VectorKernels"), "VectorKernels must never be loaded without the module");
    }
}

package dev.tensorbackend.cpu;

import dev.tensorbackend.api.BackendException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The choice between vector and scalar kernels, asked both ways in this JVM (which has the
 * module). {@link WithoutVectorModuleTest} checks the real thing in a JVM without it.
 */
class FastKernelSelectionTest {

    @Test
    void withTheModuleTheVectorKernelsAreChosenSilently() {
        ByteArrayOutputStream notices = new ByteArrayOutputStream();
        FastKernels k = FastKernelSelection.choose(true, new PrintStream(notices, true, StandardCharsets.UTF_8));
        assertEquals("vector", k.name());
        assertEquals("", notices.toString(StandardCharsets.UTF_8));
    }

    @Test
    void withoutTheModuleTheScalarKernelsAreChosenWithOneLineSayingHowToEnableIt() {
        ByteArrayOutputStream notices = new ByteArrayOutputStream();
        FastKernels k = FastKernelSelection.choose(false, new PrintStream(notices, true, StandardCharsets.UTF_8));
        assertEquals("scalar", k.name());
        String text = notices.toString(StandardCharsets.UTF_8);
        assertEquals(1, text.lines().count(), text);
        assertTrue(text.contains("--add-modules jdk.incubator.vector"), text);
    }

    @Test
    void aBadVectorWidthIsAnErrorWithOrWithoutTheModuleNeverAFallback() {
        String before = System.getProperty(VectorWidth.PROPERTY);
        System.setProperty(VectorWidth.PROPERTY, "avx2");
        try {
            PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
            for (boolean module : new boolean[] {true, false}) {
                BackendException e = assertThrows(BackendException.class, () -> FastKernelSelection.choose(module, quiet));
                assertTrue(e.getMessage().contains(VectorWidth.PROPERTY + " must be 128, 256 or 512"), e.getMessage());
            }
        } finally {
            if (before == null) {
                System.clearProperty(VectorWidth.PROPERTY);
            } else {
                System.setProperty(VectorWidth.PROPERTY, before);
            }
        }
    }

    @Test
    void thisJvmHasTheModuleSoTheBackendRunsVectorKernels() {
        assertTrue(ModuleLayer.boot().findModule(FastKernelSelection.VECTOR_MODULE).isPresent(),
                "surefire's argLine adds jdk.incubator.vector");
        assertEquals("vector", new CpuBackend().kernelsName());
    }
}

package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The PTX the build wrote next to the classes (what goes into the jar): one module per .cu, every kernel in it. */
class PtxResourcesTest {

    @Test
    void everyModuleIsPtxHoldingEveryKernelOfItsLauncher() {
        PtxResources ptx = PtxResources.load();
        assumeTrue(ptx.built(), () -> "kernels not built in this build: " + ptx.notBuiltReason());
        assertTrue(ptx.toolkitRelease().matches("\\d+\\.\\d+"), ptx.toolkitRelease());
        for (String module : CudaSources.modules()) {
            String text = ptx.ptx(module);
            assertTrue(text.contains(".version ") && text.contains(".target sm_75"), module + ": PTX for compute_75");
            for (String kernel : CudaBackend.kernelsOf(module)) {
                assertTrue(text.contains(".entry " + kernel + "("), module + ".ptx lacks kernel " + kernel);
            }
            byte[] image = ptx.image(module);
            assertEquals(0, image[image.length - 1], "cuModuleLoadData needs a NUL-terminated image");
        }
    }

    @Test
    void aMissingBuildIsReportedAsNotBuilt() {
        PtxResources none = PtxResources.notBuilt("nvcc was not on the PATH when backend-cuda was built");
        assertTrue(!none.built());
        assertEquals("nvcc was not on the PATH when backend-cuda was built", none.notBuiltReason());
    }
}

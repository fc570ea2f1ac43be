package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The fatbins the build wrote next to the classes (what goes into the jar): one per .cu, holding what build.properties says. */
class PtxResourcesTest {

    @Test
    void everyModuleIsAFatbinWithTheRecordedArchitecturesAndEveryKernelOfItsLauncher() {
        PtxResources kernels = PtxResources.load();
        assumeTrue(kernels.built(), () -> "kernels not built in this build: " + kernels.notBuiltReason());
        assertTrue(kernels.toolkitRelease().matches("\\d+\\.\\d+"), kernels.toolkitRelease());
        assertEquals(List.of(80, 90), kernels.sassArchs());
        assertEquals(75, kernels.ptxArch());
        List<String> recorded = new ArrayList<>();
        kernels.sassArchs().forEach(a -> recorded.add("sm_" + a));
        recorded.add("compute_" + kernels.ptxArch());
        for (String module : CudaSources.modules()) {
            byte[] fatbin = kernels.image(module);
            assertEquals(recorded, Fatbins.entries(fatbin), module + ".fatbin holds what build.properties records");
            for (String kernel : CudaBackend.kernelsOf(module)) {
                assertTrue(Fatbins.mentions(fatbin, kernel), module + ".fatbin lacks kernel " + kernel);
            }
        }
    }

    @Test
    void aMissingBuildIsReportedAsNotBuilt() {
        PtxResources none = PtxResources.notBuilt("nvcc was not on the PATH when backend-cuda was built");
        assertTrue(!none.built());
        assertEquals("nvcc was not on the PATH when backend-cuda was built", none.notBuiltReason());
    }

    @Test
    void contentsAndImageChoiceOfTheH200() {
        PtxResources k = PtxResources.builtBy("13.0", List.of(80, 90), 75);
        assertEquals("SASS sm_80, sm_90 and PTX compute_75", k.contents());
        assertEquals("SASS sm_90", k.imageFor(90).toString(), "an H200 (9.0) runs the sm_90 SASS");
        assertEquals("PTX JIT from compute_75", k.imageFor(75).toString(), "a Turing (7.5) JIT-compiles the PTX");
    }
}

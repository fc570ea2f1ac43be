package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import dev.tensorbackend.api.BackendProvider.Availability;
import jcuda.CudaException;
import org.junit.jupiter.api.Test;

/** Every reason the provider can give, through a scripted driver: no GPU needed. */
class CudaProbeTest {
    private static final PtxResources BUILT_BY_13 = PtxResources.builtBy("13.0", List.of(80, 90), 75);

    /** A driver that answers as told; null means the call succeeds. */
    private static final class ScriptedDriver implements DriverAccess {
        RuntimeException natives, devices, kernels;
        LinkageError link;
        int deviceCount = 1;
        int driverVersion = 13000;
        int computeCapability = 90;
        boolean kernelsTried;

        @Override
        public void loadNatives() {
            if (link != null) {
                throw link;
            }
        }

        @Override
        public int deviceCount() {
            if (devices != null) {
                throw devices;
            }
            return deviceCount;
        }

        @Override
        public int driverVersion() {
            return driverVersion;
        }

        @Override
        public int computeCapability() {
            return computeCapability;
        }

        @Override
        public void tryKernels(PtxResources ptx) {
            kernelsTried = true;
            if (kernels != null) {
                throw kernels;
            }
        }
    }

    private static void assertOneLineReason(String expectedStart, Availability a) {
        assertFalse(a.usable());
        assertTrue(a.reason().startsWith(expectedStart), a.reason());
        assertFalse(a.reason().contains("\n") || a.reason().contains("\r"), "one line: " + a.reason());
    }

    @Test
    void missingDriverLibrary() {
        ScriptedDriver d = new ScriptedDriver();
        // what JCuda throws when its native library cannot link libcuda.so.1 (abridged, several lines)
        d.link = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: No such file\n");
        Availability a = CudaProbe.check(BUILT_BY_13, d);
        assertEquals("libcuda.so.1 not found: no NVIDIA driver is installed on this machine", a.reason());
        assertFalse(a.usable());
    }

    @Test
    void anotherMissingLibraryIsNamed() {
        ScriptedDriver d = new ScriptedDriver();
        d.link = new UnsatisfiedLinkError("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                + "/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libstdc++.so.6: cannot open shared object file\n");
        assertOneLineReason("the JCuda driver binding could not be loaded: libstdc++.so.6 not found", CudaProbe.check(BUILT_BY_13, d));
        assertEquals("libcublas.so.12", CudaProbe.missingLibrary(
                "x\n/tmp/libJCublas2-12.6.0-linux-x86_64.so: libcublas.so.12: cannot open shared object file: No such file"));
    }

    @Test
    void otherLinkErrorsAreQuotedOnOneLine() {
        ScriptedDriver d = new ScriptedDriver();
        d.link = new UnsatisfiedLinkError("no JCudaDriver for this platform\nsecond line");
        assertOneLineReason("the JCuda driver binding could not be loaded: no JCudaDriver for this platform",
                CudaProbe.check(BUILT_BY_13, d));
    }

    @Test
    void theDriverReportsNoDevice() {
        ScriptedDriver d = new ScriptedDriver();
        d.devices = new CudaException("CUDA_ERROR_NO_DEVICE");
        assertOneLineReason("no CUDA device", CudaProbe.check(BUILT_BY_13, d));
        ScriptedDriver zero = new ScriptedDriver();
        zero.deviceCount = 0;
        assertOneLineReason("no CUDA device", CudaProbe.check(BUILT_BY_13, zero));
    }

    @Test
    void kernelsNotBuilt() {
        Availability a = CudaProbe.check(PtxResources.notBuilt("nvcc was not on the PATH when backend-cuda was built"),
                new ScriptedDriver());
        assertOneLineReason("kernels not built: nvcc was not on the PATH", a);
    }

    @Test
    void aDriverOlderThanTheToolkitIsNamedWithBothVersionsWhenThePtxMustBeJitCompiled() {
        ScriptedDriver d = new ScriptedDriver();
        d.computeCapability = 75; // no SASS for sm_75: the driver would JIT the PTX
        d.driverVersion = 12040;
        Availability a = CudaProbe.check(BUILT_BY_13, d);
        assertOneLineReason("PTX newer than the driver", a);
        assertTrue(a.reason().contains("CUDA 13.0") && a.reason().contains("CUDA 12.4"), a.reason());
        assertFalse(d.kernelsTried, "the module load is not even tried");
    }

    @Test
    void withSassForTheGpuAnOlderDriverIsStillTried() {
        ScriptedDriver d = new ScriptedDriver();
        d.driverVersion = 12040;
        Availability a = CudaProbe.check(BUILT_BY_13, d);
        assertTrue(d.kernelsTried, "SASS needs no JIT: the load decides");
        assertTrue(a.usable(), a.reason());
        assertTrue(a.reason().startsWith("kernels: SASS sm_90"), a.reason());
        d.kernels = new CudaException("CUDA_ERROR_NO_BINARY_FOR_GPU");
        a = CudaProbe.check(BUILT_BY_13, d);
        assertOneLineReason("loading the CUDA kernels failed: CUDA_ERROR_NO_BINARY_FOR_GPU", a);
        assertTrue(a.reason().contains("built by CUDA 13.0; the driver supports CUDA 12.4 at most"), a.reason());
    }

    @Test
    void theNoteSaysWhichImageTheDriverRuns() {
        ScriptedDriver d = new ScriptedDriver();
        assertEquals("kernels: SASS sm_90 (inferred from the GPU's compute capability 9.0 and the fatbins'"
                + " SASS sm_80, sm_90 and PTX compute_75)", CudaProbe.check(BUILT_BY_13, d).reason());
        d.computeCapability = 89;
        assertTrue(CudaProbe.check(BUILT_BY_13, d).reason().startsWith("kernels: SASS sm_80 (inferred from the GPU's"
                + " compute capability 8.9"));
        d.computeCapability = 120;
        assertTrue(CudaProbe.check(BUILT_BY_13, d).reason().startsWith("kernels: PTX JIT from compute_75 (inferred"));
    }

    @Test
    void aGpuOlderThanThePtxHasNoImage() {
        ScriptedDriver d = new ScriptedDriver();
        d.computeCapability = 70;
        Availability a = CudaProbe.check(BUILT_BY_13, d);
        assertOneLineReason("no kernel image for this GPU: it has compute capability 7.0 and the kernels hold"
                + " SASS sm_80, sm_90 and PTX compute_75", a);
        assertFalse(d.kernelsTried);
    }

    @Test
    void theImageRuleSassOfTheSameMajorNotNewerElsePtxNotNewer() {
        List<Integer> sass = List.of(80, 90);
        assertEquals("SASS sm_90", PtxResources.KernelImage.choose(90, sass, 75).toString());
        assertEquals("SASS sm_80", PtxResources.KernelImage.choose(80, sass, 75).toString());
        assertEquals("SASS sm_80", PtxResources.KernelImage.choose(86, sass, 75).toString(), "8.6 runs sm_80 SASS");
        assertEquals("SASS sm_86", PtxResources.KernelImage.choose(89, List.of(80, 86), 75).toString(), "the newest that fits");
        assertEquals("PTX JIT from compute_75", PtxResources.KernelImage.choose(75, sass, 75).toString());
        assertEquals("PTX JIT from compute_75", PtxResources.KernelImage.choose(100, sass, 75).toString(),
                "SASS never crosses a major version");
        assertEquals("PTX JIT from compute_75", PtxResources.KernelImage.choose(120, sass, 75).toString());
        assertEquals(null, PtxResources.KernelImage.choose(70, sass, 75), "PTX is never JIT-compiled for an older GPU");
        assertEquals(List.of(80, 90), PtxResources.archs("sm_80,sm_90", "sm_"));
        assertEquals(List.of(75), PtxResources.archs("compute_75", "compute_"));
    }

    @Test
    void unsupportedPtxVersionFromTheModuleLoad() {
        ScriptedDriver d = new ScriptedDriver();
        d.kernels = new CudaException("CUDA_ERROR_UNSUPPORTED_PTX_VERSION");
        Availability a = CudaProbe.check(BUILT_BY_13, d);
        assertOneLineReason("PTX newer than the driver", a);
        assertTrue(a.reason().endsWith("(CUDA_ERROR_UNSUPPORTED_PTX_VERSION)"), a.reason());
    }

    @Test
    void outOfDeviceMemory() {
        ScriptedDriver d = new ScriptedDriver();
        d.kernels = new CudaException("CUDA_ERROR_OUT_OF_MEMORY");
        assertOneLineReason("out of device memory", CudaProbe.check(BUILT_BY_13, d));
    }

    @Test
    void everythingInPlaceIsUsable() {
        ScriptedDriver d = new ScriptedDriver();
        d.driverVersion = 13010;
        Availability a = CudaProbe.check(BUILT_BY_13, d);
        assertTrue(a.usable(), a.reason());
        assertTrue(d.kernelsTried);
        assertTrue(a.reason().startsWith("kernels: SASS sm_90"), a.reason());
    }

    @Test
    void theMissingDriverIsReportedBeforeMissingKernels() {
        ScriptedDriver d = new ScriptedDriver();
        d.link = new UnsatisfiedLinkError("libcuda.so.1: cannot open shared object file");
        assertOneLineReason("libcuda.so.1 not found", CudaProbe.check(PtxResources.notBuilt("no nvcc"), d));
    }

    @Test
    void versionNumbersAsTheDriverApiCountsThem() {
        assertEquals(13000, PtxResources.versionNumber("13.0"));
        assertEquals(12060, PtxResources.versionNumber("12.6"));
        assertEquals("12.4", PtxResources.versionName(12040));
        assertEquals("13.0", PtxResources.versionName(13000));
    }
}

package dev.tensorbackend.cuda;

import dev.tensorbackend.api.BackendProvider.Availability;
import jcuda.CudaException;

/**
 * Decides whether the CUDA backend can run here and, if not, says why in one line: the
 * driver library is missing, there is no device, the kernels were not built, the fatbins hold
 * no image for this GPU, the driver is older than the toolkit that wrote the PTX it would have
 * to JIT-compile, or the device is out of memory. When usable, the note says which image of the
 * fatbins the driver runs (inferred, see {@link PtxResources#imageFor}).
 */
final class CudaProbe {
    private CudaProbe() {
    }

    static Availability check(PtxResources ptx, DriverAccess driver) {
        try {
            driver.loadNatives();
        } catch (LinkageError e) {
            return Availability.no(driverLibraryProblem(e));
        }
        try {
            if (driver.deviceCount() == 0) {
                return Availability.no("no CUDA device: the NVIDIA driver is installed but reports no GPU");
            }
        } catch (CudaException e) {
            if (is(e, "CUDA_ERROR_NO_DEVICE")) {
                return Availability.no("no CUDA device: the NVIDIA driver reports CUDA_ERROR_NO_DEVICE");
            }
            return Availability.no("the CUDA driver failed to initialise: " + oneLine(e.getMessage()));
        }
        if (!ptx.built()) {
            return Availability.no("kernels not built: " + ptx.notBuiltReason()
                    + "; rebuild backend-cuda with nvcc on the PATH");
        }
        int cc = driver.computeCapability();
        String device = "compute capability " + cc / 10 + "." + cc % 10;
        PtxResources.KernelImage image = ptx.imageFor(cc);
        if (image == null) {
            return Availability.no("no kernel image for this GPU: it has " + device + " and the kernels hold "
                    + ptx.contents() + "; rebuild backend-cuda with SASS or PTX for it");
        }
        int driverVersion = driver.driverVersion();
        // SASS is loaded as is, so only PTX that must be JIT-compiled needs a driver as new as its toolkit
        if (!image.sass() && driverVersion < ptx.toolkitVersion()) {
            return Availability.no(ptxTooNew(driverVersion, ptx));
        }
        try {
            driver.tryKernels(ptx);
        } catch (CudaException e) {
            if (is(e, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION")) {
                return Availability.no(ptxTooNew(driverVersion, ptx) + " (CUDA_ERROR_UNSUPPORTED_PTX_VERSION)");
            }
            if (is(e, "CUDA_ERROR_OUT_OF_MEMORY")) {
                return Availability.no("out of device memory: creating the CUDA context or loading the kernels failed"
                        + " with CUDA_ERROR_OUT_OF_MEMORY");
            }
            return Availability.no("loading the CUDA kernels failed: " + oneLine(e.getMessage())
                    + (driverVersion < ptx.toolkitVersion() ? " (the kernels were built by CUDA " + ptx.toolkitRelease()
                    + "; the driver supports CUDA " + PtxResources.versionName(driverVersion) + " at most)" : ""));
        }
        return Availability.yes("kernels: " + image + " (inferred from the GPU's " + device
                + " and the fatbins' " + ptx.contents() + ")");
    }

    private static String ptxTooNew(int driverVersion, PtxResources ptx) {
        return "PTX newer than the driver: the kernels were compiled by CUDA " + ptx.toolkitRelease()
                + " but the NVIDIA driver supports CUDA " + PtxResources.versionName(driverVersion)
                + " at most; update the driver or rebuild backend-cuda with an older nvcc";
    }

    private static String driverLibraryProblem(LinkageError e) {
        String message = String.valueOf(e.getMessage());
        String missing = missingLibrary(message);
        if (missing != null && missing.startsWith("libcuda.so")) {
            return "libcuda.so.1 not found: no NVIDIA driver is installed on this machine";
        }
        if (missing != null) {
            return "the JCuda driver binding could not be loaded: " + missing + " not found";
        }
        return "the JCuda driver binding could not be loaded: " + oneLine(message);
    }

    private static final java.util.regex.Pattern CANNOT_OPEN =
            java.util.regex.Pattern.compile("(lib[\\w.+-]+\\.so[\\w.]*): cannot open shared object file");

    /**
     * The shared library the dynamic linker could not find, from JCuda's several-line load
     * error ("...: libcuda.so.1: cannot open shared object file ..."), or null.
     */
    static String missingLibrary(String message) {
        java.util.regex.Matcher m = CANNOT_OPEN.matcher(String.valueOf(message));
        return m.find() ? m.group(1) : null;
    }

    private static boolean is(CudaException e, String code) {
        return String.valueOf(e.getMessage()).contains(code);
    }

    /** The first line, so a reason never spills over several lines of a log. */
    static String oneLine(String message) {
        if (message == null) {
            return "(no message)";
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).trim();
    }
}

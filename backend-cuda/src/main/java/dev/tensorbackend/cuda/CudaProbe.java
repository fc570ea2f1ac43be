package dev.tensorbackend.cuda;

import dev.tensorbackend.api.BackendProvider.Availability;
import jcuda.CudaException;

/**
 * Decides whether the CUDA backend can run here and, if not, says why in one line: the
 * driver library is missing, there is no device, the kernels were not built, the driver is
 * older than the toolkit that wrote the PTX, or the device is out of memory.
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
        int driverVersion = driver.driverVersion();
        if (driverVersion < ptx.toolkitVersion()) {
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
            return Availability.no("loading the CUDA kernels failed: " + oneLine(e.getMessage()));
        }
        return Availability.yes();
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

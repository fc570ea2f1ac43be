package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Properties;

import dev.tensorbackend.api.BackendProvider;

/** GPU tests skip, showing the provider's reason, where CUDA is not usable. */
final class GpuAssumptions {
    private GpuAssumptions() {
    }

    static void assumeCudaUsable() {
        BackendProvider.Availability a = new CudaBackendProvider().availability();
        assumeTrue(a.usable(), () -> "CUDA not usable here: " + a.reason());
    }

    /** A CUDA backend with the given matmul path; skipped where CUDA is unusable. */
    static CudaBackend open(String matmulPath) {
        assumeCudaUsable();
        Properties p = new Properties();
        p.putAll(System.getProperties());
        p.setProperty(CudaBackend.MATMUL_PROPERTY, matmulPath);
        return CudaBackend.open(PtxResources.load(), p, System.err);
    }
}

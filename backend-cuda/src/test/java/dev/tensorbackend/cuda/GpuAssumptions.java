package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import dev.tensorbackend.api.BackendProvider;

/**
 * GPU tests skip, showing the provider's reason, where CUDA is not usable. In the build's
 * mock-driver run ({@value #MOCK_PROPERTY} names target/mock-driver/libcuda.so.1, which is on
 * LD_LIBRARY_PATH there) CUDA must be usable: a mock that does not load fails these tests
 * instead of skipping them; a mock that was not built (no g++), or kernels that were not
 * (no nvcc), skip them, saying so.
 */
final class GpuAssumptions {
    static final String MOCK_PROPERTY = "tensor.cuda.mock";

    private GpuAssumptions() {
    }

    /** The mock driver this run uses, or null when it runs on whatever driver the machine has. */
    static Path mockDriver() {
        String path = System.getProperty(MOCK_PROPERTY);
        return path == null || path.isBlank() ? null : Path.of(path);
    }

    static boolean onMockDriver() {
        return mockDriver() != null;
    }

    static void assumeCudaUsable() {
        Path mock = mockDriver();
        if (mock != null) {
            assumeTrue(Files.isRegularFile(mock), () -> "mock CUDA driver not built at " + mock
                    + " (backend-cuda's Maven build makes it with g++, by src/test/mock-driver/build.sh)");
        }
        BackendProvider.Availability a = new CudaBackendProvider().availability();
        if (mock != null) {
            // the mock stands in for the driver, not for nvcc: without PTX there is nothing to run
            PtxResources ptx = PtxResources.load();
            assumeTrue(ptx.built(), () -> "kernels not built: " + ptx.notBuiltReason());
            assertTrue(a.usable(), () -> "CUDA must be usable on the mock driver " + mock + ": " + a.reason());
        }
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

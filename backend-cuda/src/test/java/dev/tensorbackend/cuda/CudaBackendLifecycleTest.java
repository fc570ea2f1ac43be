package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import org.junit.jupiter.api.Test;

/** Memory and repeatability on a real GPU; skipped with the reason where CUDA is unusable. */
class CudaBackendLifecycleTest extends CudaLifecycleChecks {
    @Override
    protected CudaBackend newCudaBackend() {
        return GpuAssumptions.open("kernel");
    }

    @Test
    void debugModeSynchronisesAfterEachLaunchAndStillComputes() {
        System.setProperty(CudaBackend.DEBUG_PROPERTY, "true");
        try (CudaBackend cuda = GpuAssumptions.open("kernel")) {
            Tensor x = cuda.upload(Shape.of(2, 3), new float[] {1, -2, 3, -4, 5, -6});
            assertArrayEquals(new float[] {1, 0, 3, 0, 5, 0}, cuda.relu(x).toArray());
        } finally {
            System.clearProperty(CudaBackend.DEBUG_PROPERTY);
        }
    }
}

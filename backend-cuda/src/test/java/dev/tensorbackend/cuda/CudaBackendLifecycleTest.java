package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Memory and repeatability on a real GPU; skipped with the reason where CUDA is unusable. */
class CudaBackendLifecycleTest extends CudaLifecycleChecks {
    @Override
    protected CudaBackend newCudaBackend() {
        return GpuAssumptions.open("kernel");
    }

    @Test
    void deviceMillisTimesTheWorkWithEventsOnTheStream() {
        try (CudaBackend cuda = GpuAssumptions.open("kernel")) {
            Tensor x = cuda.upload(Shape.of(1 << 16), new float[1 << 16]);
            Tensor[] y = new Tensor[1];
            OptionalDouble ms = cuda.deviceMillis(() -> y[0] = cuda.relu(x));
            assertTrue(ms.isPresent(), "a GPU (or the mock driver's events) has a clock");
            assertTrue(ms.getAsDouble() >= 0 && ms.getAsDouble() < 10_000, "device time " + ms);
            assertEquals(0f, y[0].toArray()[(1 << 16) - 1]);
        }
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

    @Test
    void copiesLargerThanTheStagingBufferGoInPiecesAndComeBackWhole() {
        int n = (int) (CudaContext.STAGING_LIMIT / Float.BYTES) * 2 + 12_345; // two full pieces and a partial one
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = i * 0.5f - 7;
        }
        try (CudaBackend cuda = GpuAssumptions.open("kernel")) {
            Tensor x = cuda.upload(Shape.of(n), values);
            assertArrayEquals(values, x.toArray());
            float[] scaled = cuda.scale(x, 2f).toArray();
            assertEquals(values[n - 1] * 2f, scaled[n - 1]);
            assertEquals(values[n / 2] * 2f, scaled[n / 2]);
        }
    }

    @Test
    void theCublasPathQueuesOnTheBackendsStream() {
        try (CudaBackend cuda = GpuAssumptions.open("cublas")) {
            // many small products whose inputs are reused blocks: an unordered stream would read stale data
            for (int round = 0; round < 20; round++) {
                float v = round;
                Tensor a = cuda.upload(Shape.of(2, 2), new float[] {v, 0, 0, v});
                Tensor b = cuda.upload(Shape.of(2, 2), new float[] {1, 2, 3, 4});
                Tensor c = cuda.matmul(a, b);
                a.close();
                b.close();
                Tensor d = cuda.add(c, c);
                assertArrayEquals(new float[] {2 * v, 4 * v, 6 * v, 8 * v}, d.toArray(), "round " + round);
                c.close();
                d.close();
            }
        }
    }
}

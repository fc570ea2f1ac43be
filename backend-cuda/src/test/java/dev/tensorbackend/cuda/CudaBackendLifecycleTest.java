package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import org.junit.jupiter.api.Test;

/** Device memory on a GPU: freed on close, nothing allocated for empty tensors, closed backends refuse work. */
class CudaBackendLifecycleTest {

    @Test
    void closingTensorsFreesTheirDeviceMemory() {
        try (CudaBackend cuda = GpuAssumptions.open("kernel")) {
            Tensor a = cuda.upload(Shape.of(3, 5), new float[15]);
            Tensor b = cuda.zeros(Shape.of(7));
            assertEquals(2, cuda.liveAllocations());
            assertEquals((15 + 7) * 4, cuda.liveBytes());
            a.close();
            a.close(); // twice is harmless
            assertEquals(1, cuda.liveAllocations());
            b.close();
            assertEquals(0, cuda.liveAllocations());
            assertEquals(0, cuda.liveBytes());
        }
    }

    @Test
    void emptyTensorsAllocateNothing() {
        try (CudaBackend cuda = GpuAssumptions.open("kernel")) {
            Tensor e = cuda.upload(Shape.of(0, 4), new float[0]);
            Tensor s = cuda.sum(e);
            assertEquals(1, cuda.liveAllocations(), "only the scalar sum");
            assertArrayEquals(new float[] {0f}, s.toArray());
            // [0, 4]^T x [0, 2]: k = 0, a 4 x 2 result of zeros
            assertArrayEquals(new float[8], cuda.matmul(e, true, cuda.zeros(Shape.of(0, 2)), false).toArray());
            assertEquals(2, cuda.liveAllocations(), "the scalar and the 4 x 2 result");
        }
    }

    @Test
    void closingTheBackendFreesWhatIsStillOpenAndClosesThoseTensors() {
        CudaBackend cuda = GpuAssumptions.open("kernel");
        Tensor a = cuda.upload(Shape.of(2), new float[] {1, 2});
        cuda.close();
        assertEquals(0, cuda.liveAllocations());
        assertTrue(a.isClosed());
        BackendException e = assertThrows(BackendException.class, () -> cuda.zeros(Shape.of(1)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        cuda.close(); // twice is harmless
    }

    @Test
    void debugModeNamesNothingWhenAllIsWell() {
        System.setProperty(CudaBackend.DEBUG_PROPERTY, "true");
        try (CudaBackend cuda = GpuAssumptions.open("kernel")) {
            Tensor x = cuda.upload(Shape.of(2, 3), new float[] {1, -2, 3, -4, 5, -6});
            assertArrayEquals(new float[] {1, 0, 3, 0, 5, 0}, cuda.relu(x).toArray());
        } finally {
            System.clearProperty(CudaBackend.DEBUG_PROPERTY);
        }
    }
}

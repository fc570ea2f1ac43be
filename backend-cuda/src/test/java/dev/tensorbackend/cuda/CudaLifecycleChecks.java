package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Device memory and repeatability of CudaBackend, on whatever device a subclass supplies:
 * memory freed on close, nothing allocated for empty tensors, a closed backend refusing
 * work, and reductions giving the same bits on every run.
 */
abstract class CudaLifecycleChecks {

    protected abstract CudaBackend newCudaBackend();

    @Test
    void closingTensorsFreesTheirDeviceMemory() {
        try (CudaBackend cuda = newCudaBackend()) {
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
        try (CudaBackend cuda = newCudaBackend()) {
            Tensor e = cuda.upload(Shape.of(0, 4), new float[0]);
            assertEquals(0, cuda.liveAllocations());
            Tensor s = cuda.sum(e);
            assertEquals(1, cuda.liveAllocations(), "only the scalar sum");
            assertArrayEquals(new float[] {0f}, s.toArray());
            // [0, 4]^T x [0, 2]: k = 0, a 4 x 2 result of zeros
            assertArrayEquals(new float[8], cuda.matmul(e, true, cuda.zeros(Shape.of(0, 2)), false).toArray());
            assertEquals(2, cuda.liveAllocations(), "the scalar and the 4 x 2 result");
            assertArrayEquals(new float[0], cuda.relu(cuda.reshape(e, Shape.of(4, 0))).toArray());
            assertEquals(2, cuda.liveAllocations());
        }
    }

    @Test
    void temporaryBuffersAreFreed() {
        try (CudaBackend cuda = newCudaBackend()) {
            Tensor x = cuda.upload(Shape.of(70_000), new float[70_000]);
            Tensor s = cuda.sum(x); // two passes through a buffer of partial sums
            assertEquals(2, cuda.liveAllocations(), "x and the sum; the partials are gone");
            assertArrayEquals(new float[] {0f}, s.toArray());
        }
    }

    @Test
    void closingTheBackendFreesWhatIsStillOpenAndClosesThoseTensors() {
        CudaBackend cuda = newCudaBackend();
        Tensor a = cuda.upload(Shape.of(2), new float[] {1, 2});
        cuda.close();
        assertEquals(0, cuda.liveAllocations());
        assertTrue(a.isClosed());
        BackendException e = assertThrows(BackendException.class, () -> cuda.zeros(Shape.of(1)));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        cuda.close(); // twice is harmless
    }

    @Test
    void reductionsGiveTheSameBitsOnEveryRun() {
        Random rnd = new Random(3);
        float[] big = new float[100_003];
        for (int i = 0; i < big.length; i++) {
            big[i] = rnd.nextFloat() * 2 - 1;
        }
        float[] image = java.util.Arrays.copyOf(big, 2 * 3 * 17 * 19), filter = java.util.Arrays.copyOf(big, 4 * 3 * 3 * 3);
        float[] grad = java.util.Arrays.copyOfRange(big, 0, 2 * 4 * 17 * 19);
        float[][] first = null;
        for (int run = 0; run < 3; run++) {
            try (CudaBackend cuda = newCudaBackend()) {
                Tensor x = cuda.upload(Shape.of(big.length), big);
                Tensor in = cuda.upload(Shape.of(2, 3, 17, 19), image), f = cuda.upload(Shape.of(4, 3, 3, 3), filter);
                Tensor g = cuda.upload(Shape.of(2, 4, 17, 19), grad);
                float[][] results = {
                    cuda.sum(x).toArray(),
                    cuda.sumToAxis(cuda.reshape(x, Shape.of(1, 100_003)), 0).toArray(),
                    cuda.conv2dBackwardFilter(in, g, Shape.of(4, 3, 3, 3), ConvSpec.of(1, 1)).toArray(),
                    cuda.softmax(cuda.reshape(x, Shape.of(1, 100_003))).toArray()};
                if (first == null) {
                    first = results;
                } else {
                    for (int i = 0; i < results.length; i++) {
                        assertArrayEquals(first[i], results[i], "run " + run + ", result " + i + " differs bitwise");
                    }
                }
            }
        }
    }
}

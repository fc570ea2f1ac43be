package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.MemoryStats;
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
            assertEquals(512 + 512, cuda.liveBytes(), "each rounded up to its 512-byte size class");
            a.close();
            a.close(); // twice is harmless
            assertEquals(1, cuda.liveAllocations());
            b.close();
            assertEquals(0, cuda.liveAllocations());
            assertEquals(0, cuda.liveBytes());
        }
    }

    @Test
    void aClosedTensorsBlockServesTheNextTensorOfItsSizeWithoutTheDriver() {
        try (CudaBackend cuda = newCudaBackend()) {
            Tensor a = cuda.upload(Shape.of(100), new float[100]);
            MemoryStats first = cuda.memoryStats();
            assertEquals(new MemoryStats(512, 0, 512, 1, 0), first);
            a.close();
            assertEquals(new MemoryStats(0, 512, 512, 1, 0), cuda.memoryStats());
            float[] values = new float[120];
            java.util.Arrays.fill(values, 2.5f);
            Tensor b = cuda.upload(Shape.of(120), values); // 480 bytes: the same 512-byte class
            assertEquals(new MemoryStats(512, 0, 512, 1, 0), cuda.memoryStats(), "reused, no cuMemAlloc");
            Tensor c = cuda.relu(b); // a new block: b is open
            assertArrayEquals(values, c.toArray());
            assertEquals(new MemoryStats(1024, 0, 1024, 2, 0), cuda.memoryStats());
            for (int i = 0; i < 50; i++) {
                cuda.scale(b, 2f).close(); // each result reuses the block the previous one gave back
            }
            assertEquals(3, cuda.memoryStats().driverAllocations());
            b.close();
            c.close();
            assertEquals(new MemoryStats(0, 1536, 1536, 3, 0), cuda.memoryStats());
            assertEquals(1536, cuda.trimCache());
            assertEquals(new MemoryStats(0, 0, 1536, 3, 3), cuda.memoryStats());
            assertEquals(0, cuda.trimCache());
        }
    }

    @Test
    void closingTheBackendFreesEveryDriverAllocation() {
        CudaBackend cuda = newCudaBackend();
        Tensor x = cuda.upload(Shape.of(70_000), new float[70_000]);
        cuda.sum(x).close(); // the partial sums and the scalar go to the cache
        cuda.relu(x);        // left open
        MemoryStats before = cuda.memoryStats();
        assertTrue(before.cachedBytes() > 0 && before.liveBytes() > 0, before.toString());
        cuda.close();
        MemoryStats after = cuda.memoryStats();
        assertEquals(0, after.liveBytes());
        assertEquals(0, after.cachedBytes());
        assertEquals(after.driverAllocations(), after.driverFrees(), after.toString());
        assertEquals(before.peakBytes(), after.peakBytes());
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

package dev.tensorbackend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Closed tensors' arrays come back for results of their length, zeroed where asked, within the cap. */
class ArrayCacheTest {

    private static float[] filled(int length, float value) {
        float[] a = new float[length];
        Arrays.fill(a, value);
        return a;
    }

    @Test
    void anArrayComesBackOnlyForItsLengthMostRecentFirst() {
        ArrayCache cache = new ArrayCache(1 << 20, TestKernels.ONE_THREAD);
        float[] first = filled(10, 1f), second = filled(10, 2f);
        cache.give(first);
        cache.give(second);
        assertEquals(80, cache.cachedBytes());
        assertEquals(11, cache.uninitialized(11).length); // no length-11 array kept: a new one
        assertSame(second, cache.uninitialized(10));
        assertSame(first, cache.uninitialized(10));
        assertEquals(0, cache.cachedBytes());
        assertNotSame(first, cache.uninitialized(10));
    }

    @Test
    void zeroedClearsARecycledArraySmallOrSplitOverThreads() {
        for (int length : new int[] {7, (1 << 18) + 3}) {
            ArrayCache cache = new ArrayCache(1L << 30, TestKernels.THREE_THREADS);
            float[] dirty = filled(length, Float.NaN);
            cache.give(dirty);
            float[] z = cache.zeroed(length);
            assertSame(dirty, z);
            assertArrayEquals(new float[length], z, "length " + length);
        }
    }

    @Test
    void arraysPastTheCapAreLeftToTheCollectorAndClearDropsAll() {
        ArrayCache cache = new ArrayCache(100, TestKernels.ONE_THREAD);
        cache.give(new float[20]); // 80 bytes
        cache.give(new float[6]); // 24 more would pass 100: dropped
        cache.give(new float[5]); // 20 more: exactly 100, kept
        assertEquals(100, cache.cachedBytes());
        assertEquals(6, cache.uninitialized(6).length);
        assertEquals(100, cache.cachedBytes());
        cache.clear();
        assertEquals(0, cache.cachedBytes());
    }

    /** Through the backend: a training loop's second step takes its results from the first step's closed tensors. */
    @Test
    void theBackendReusesClosedResultsAndCloseDropsThem() {
        CpuBackend cpu = new CpuBackend();
        Tensor a = cpu.upload(Shape.of(8, 8), filled(64, 0.5f));
        cpu.matmul(a, a).close();
        assertEquals(64 * 4, cpu.memoryStats().cachedBytes());
        cpu.softmax(a).close(); // took the product's array, then gave it back
        assertEquals(64 * 4, cpu.memoryStats().cachedBytes());
        try (Tensor p = cpu.matmul(a, a); Tensor s = cpu.softmax(a)) {
            assertEquals(0, cpu.memoryStats().cachedBytes());
            assertArrayEquals(filled(64, 2f), cpu.download(p)); // 8 * 0.5 * 0.5, in a recycled (dirty) array
            assertArrayEquals(filled(64, 0.125f), cpu.download(s));
        }
        cpu.close(); // closes a, keeps nothing
        assertEquals(0, cpu.memoryStats().cachedBytes());
    }

    /**
     * A loop that makes the same tensors every step keeps the same arrays: every array a
     * tensor holds (copies, sums and the filter gradient included) comes from the cache, so
     * after the first step it gives back exactly what it took.
     */
    @Test
    void aRepeatedStepNeitherGrowsNorDrainsTheCache() {
        try (CpuBackend cpu = new CpuBackend()) {
            Tensor image = cpu.upload(Shape.of(2, 3, 8, 16), filled(2 * 3 * 8 * 16, 0.25f));
            Tensor filter = cpu.upload(Shape.of(4, 3, 3, 3), filled(4 * 27, 0.5f));
            ConvSpec spec = ConvSpec.of(1, 1);
            long[] cached = new long[6];
            for (int step = 0; step < cached.length; step++) {
                try (Tensor copy = cpu.upload(Shape.of(16, 16), filled(256, 1f));
                     Tensor flat = cpu.reshape(copy, Shape.of(256));
                     Tensor product = cpu.matmul(copy, copy);
                     Tensor probabilities = cpu.softmax(product);
                     Tensor total = cpu.sum(flat);
                     Tensor out = cpu.conv2d(image, filter, spec);
                     Tensor gradFilter = cpu.conv2dBackwardFilter(image, out, filter.shape(), spec);
                     Tensor gradImage = cpu.conv2dBackwardInput(out, filter, image.shape(), spec)) {
                    assertEquals(256f, cpu.download(total)[0]);
                }
                cached[step] = cpu.memoryStats().cachedBytes();
            }
            for (int step = 2; step < cached.length; step++) {
                assertEquals(cached[1], cached[step], "cached bytes after each step: " + Arrays.toString(cached));
            }
        }
    }
}

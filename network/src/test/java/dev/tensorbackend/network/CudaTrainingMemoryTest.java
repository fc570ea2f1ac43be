package dev.tensorbackend.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.MemoryStats;
import dev.tensorbackend.api.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The caching allocator under a training loop, on the CUDA backend (the mock-driver run of
 * network/pom.xml, or a GPU with {@code -Dtensor.backend=cuda}): after the first step every
 * buffer a step needs comes from the cache, so 1,000 steps cost the driver no allocation
 * beyond the first step's, and closing everything gives back every block. On a GPU the
 * network is the small benchmark network (64 tokens of width 32, batch 8); on the mock
 * driver, whose kernels run each CUDA thread as a CPU fiber, 1,000 steps of that take minutes,
 * so there it is the documented network, which makes the same calls on smaller tensors.
 */
class CudaTrainingMemoryTest {
    private static final int STEPS = 1000;

    @Test
    void aThousandTrainingStepsAllocateNothingAfterTheFirst() {
        assumeTrue("cuda".equals(System.getProperty(Backends.PROPERTY)),
                "runs where -Dtensor.backend=cuda: the mock-driver execution, or a GPU machine");
        String mock = System.getProperty("tensor.cuda.mock");
        assumeTrue(mock == null || Files.isRegularFile(Path.of(mock)), () -> "mock CUDA driver not built at " + mock);
        NetworkConfig config = mock == null ? NetworkConfig.scaled(64, 32, 2, 2, 8) : NetworkConfig.documented();
        Backend cuda = Backends.create("cuda");
        MemoryStats afterFirst;
        float first;
        float last = Float.NaN;
        try (Network net = Network.random(cuda, config, 7);
             Tensor x = cuda.upload(net.inputShape(), uniform(net.inputShape().size(), 1));
             Tensor y = cuda.upload(net.targetShape(), uniform(net.targetShape().size(), 2))) {
            first = net.trainStep(x, y, 1e-3f);
            afterFirst = cuda.memoryStats();
            for (int i = 1; i < STEPS; i++) {
                last = net.trainStep(x, y, 1e-3f);
            }
            MemoryStats afterAll = cuda.memoryStats();
            assertEquals(afterFirst.driverAllocations(), afterAll.driverAllocations(),
                    "driver allocations after step 1 and after step " + STEPS + ": " + afterFirst + " / " + afterAll);
            assertEquals(0, afterAll.driverFrees(), afterAll.toString());
            assertEquals(afterFirst.peakBytes(), afterAll.peakBytes(), "a step's peak does not grow");
        } finally {
            cuda.close();
        }
        MemoryStats closed = cuda.memoryStats();
        assertEquals(closed.driverAllocations(), closed.driverFrees(), closed.toString());
        assertEquals(0, closed.liveBytes() + closed.cachedBytes(), closed.toString());
        assertTrue(Float.isFinite(last) && last < first, "training lowers the cost: " + first + " -> " + last);
    }

    private static float[] uniform(long n, long seed) {
        Random rnd = new Random(seed);
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) {
            a[i] = rnd.nextFloat();
        }
        return a;
    }
}

package dev.tensorbackend.cpu;

import dev.tensorbackend.api.BackendException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuPoolTest {

    @Test
    void threadCountComesFromThePropertyOrTheProcessorCount() {
        assertEquals(3, CpuPool.configuredThreads("3"));
        assertEquals(2, CpuPool.configuredThreads(" 2 "));
        assertEquals(Runtime.getRuntime().availableProcessors(), CpuPool.configuredThreads(null));
        for (String bad : new String[] {"0", "-1", "many"}) {
            BackendException e = assertThrows(BackendException.class, () -> CpuPool.configuredThreads(bad));
            assertTrue(e.getMessage().contains(CpuPool.THREADS_PROPERTY) && e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void everyTaskRunsExactlyOnceIncludingNestedLoops() {
        AtomicIntegerArray runs = new AtomicIntegerArray(50 * 7);
        TestKernels.THREE_THREADS.forEach(50, i -> TestKernels.THREE_THREADS.forEach(7, j -> runs.incrementAndGet(i * 7 + j)));
        for (int i = 0; i < runs.length(); i++) {
            assertEquals(1, runs.get(i), "task " + i);
        }
    }

    @Test
    void aFailingTaskFailsTheCall() {
        IllegalStateException boom = new IllegalStateException("task 5 failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> TestKernels.THREE_THREADS.forEach(20, i -> {
            if (i == 5) {
                throw boom;
            }
        }));
        assertSame(boom, thrown);
    }
}

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

    /** Calls from several threads at once: one gets the helpers, the others run their tasks themselves; none is lost. */
    @Test
    void callsFromManyThreadsAtOnceEachRunEveryTaskOnce() throws InterruptedException {
        int callers = 4, calls = 300, tasks = 10;
        AtomicIntegerArray runs = new AtomicIntegerArray(callers * tasks);
        Thread[] ts = new Thread[callers];
        for (int c = 0; c < callers; c++) {
            int caller = c;
            ts[c] = new Thread(() -> {
                for (int k = 0; k < calls; k++) {
                    TestKernels.THREE_THREADS.forEach(tasks, i -> runs.incrementAndGet(caller * tasks + i));
                }
            });
            ts[c].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        for (int i = 0; i < runs.length(); i++) {
            assertEquals(calls, runs.get(i), "task " + i);
        }
    }

    /** After the helpers have spun out and parked, the next call wakes them and completes. */
    @Test
    void aCallAfterTheHelpersParkedCompletes() throws InterruptedException {
        CpuPool pool = new CpuPool(2);
        for (int round = 0; round < 3; round++) {
            Thread.sleep(5); // well past SPIN_NANOS: the helper is parked
            AtomicIntegerArray runs = new AtomicIntegerArray(64);
            pool.forEach(64, runs::incrementAndGet);
            for (int i = 0; i < runs.length(); i++) {
                assertEquals(1, runs.get(i), "round " + round + " task " + i);
            }
        }
    }
}

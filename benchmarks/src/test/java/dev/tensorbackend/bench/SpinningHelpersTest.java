package dev.tensorbackend.bench;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpinningHelpersTest {

    /** Every part runs exactly once per call, part 0 on the caller, over many calls in a row. */
    @Test
    void everyPartRunsOncePerCall() throws Exception {
        try (SpinningHelpers helpers = new SpinningHelpers(3)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(3);
            Thread caller = Thread.currentThread();
            int calls = 300; // three threads on a two-core machine: they take turns (see SpinningHelpers)
            for (int c = 0; c < calls; c++) {
                helpers.run(part -> {
                    runs.incrementAndGet(part);
                    if (part == 0) {
                        assertEquals(caller, Thread.currentThread());
                    }
                });
            }
            for (int p = 0; p < 3; p++) {
                assertEquals(calls, runs.get(p), "part " + p);
            }
        }
    }

    /** run returns only after the helpers' parts are done: their writes are all visible. */
    @Test
    void runReturnsAfterEveryPartHasWritten() throws Exception {
        try (SpinningHelpers helpers = new SpinningHelpers(2)) {
            int[] out = new int[2];
            for (int c = 1; c <= 500; c++) {
                int value = c;
                helpers.run(part -> out[part] = value);
                assertEquals(c, out[0]);
                assertEquals(c, out[1]);
            }
        }
    }

    @Test
    void aHelpersFailureReachesTheCaller() throws Exception {
        try (SpinningHelpers helpers = new SpinningHelpers(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> helpers.run(part -> {
                if (part == 1) {
                    throw new ArithmeticException("part 1");
                }
            }));
            assertTrue(e.getCause() instanceof ArithmeticException, String.valueOf(e.getCause()));
            int[] after = new int[2];
            helpers.run(part -> after[part] = 1); // a failure ends with its call
            assertEquals(1, after[0]);
            assertEquals(1, after[1]);
        }
    }

    /** A failure on the calling thread still waits for the helpers' parts of the same call. */
    @Test
    void theCallersFailureWaitsForTheHelpers() throws Exception {
        try (SpinningHelpers helpers = new SpinningHelpers(2)) {
            int[] done = new int[1];
            assertThrows(ArithmeticException.class, () -> helpers.run(part -> {
                if (part == 0) {
                    throw new ArithmeticException("part 0");
                }
                long until = System.nanoTime() + 50_000_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                done[0] = 1;
            }));
            assertEquals(1, done[0], "the helper's part had finished when run returned");
        }
    }

    @Test
    void oneThreadRunsOnTheCallerAlone() throws Exception {
        try (SpinningHelpers helpers = new SpinningHelpers(1)) {
            int[] count = new int[1];
            helpers.run(part -> count[0] += part + 1);
            assertEquals(1, count[0]);
        }
        assertThrows(IllegalArgumentException.class, () -> new SpinningHelpers(0));
    }
}

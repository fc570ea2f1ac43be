package dev.tensorbackend.cpu;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The kernel sets and pool sizes every fast path is tested with. */
final class TestKernels {
    /** 1 thread, and 3 so that work is split unevenly over more threads than this machine may have. */
    static final CpuPool ONE_THREAD = new CpuPool(1);
    static final CpuPool THREE_THREADS = new CpuPool(3);

    private TestKernels() {
    }

    /** The Vector API kernels (the tests run with the module) and the scalar fallback. */
    static List<FastKernels> both() {
        FastKernels chosen = FastKernelSelection.kernels();
        assertEquals("vector", chosen.name(), "tests run with --add-modules jdk.incubator.vector, so the vector kernels are chosen");
        return List.of(chosen, new ScalarKernels());
    }
}

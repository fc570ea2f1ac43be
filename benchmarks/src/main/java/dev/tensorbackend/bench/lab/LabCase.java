package dev.tensorbackend.bench.lab;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Tolerance;
import dev.tensorbackend.bench.workload.Work;
import java.util.function.Function;

/**
 * One op at one shape in the kernel lab. {@code op} and {@code shape} use the names of
 * {@code benchmarks/pytorch/baseline.py}, so each row meets its PyTorch peer by name.
 * {@code quick} cases are the ones the quick benchmark runs (the CPU is only timed on those).
 */
record LabCase(String op, String shape, Work work, Tolerance tolerance, boolean quick,
               Function<Backend, Prepared> prepare) {

    /** A case's inputs placed on one backend. */
    interface Prepared extends AutoCloseable {
        /** One call, its result downloaded: what is compared with the CPU. */
        float[] check();

        /** One call whose result is freed unread; nothing waits for the device. */
        void run();

        @Override
        void close();
    }
}

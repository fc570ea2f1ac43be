package dev.tensorbackend.bench;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.Backends;
import dev.tensorbackend.api.Tensor;
import org.openjdk.jmh.infra.Blackhole;

/** Opens the backend a benchmark measures, by name, through the public selection API only. */
public final class BenchBackends {
    /** The CUDA backend reads this when it is created: {@code kernel} (ours) or {@code cublas}. */
    public static final String CUDA_MATMUL_PROPERTY = "tensor.cuda.matmul";

    private BenchBackends() {
    }

    /**
     * Why the benchmarks refuse to run while shadow execution is asked for, or null when it
     * is not: a shadowed backend runs every op twice and downloads its inputs, so its time
     * says nothing about the backend.
     */
    public static String shadowRefusal() {
        String shadow = Backends.shadowName();
        return shadow == null ? null : Backends.SHADOW_PROPERTY + "=" + shadow + " (or " + Backends.SHADOW_ENVIRONMENT
                + ") is set: benchmarks refuse to run shadowed, because every op would also run on " + shadow
                + " and download its inputs, so the times would not be the backend's; unset it to benchmark";
    }

    /** The named backend with its default matmul; refuses while shadowing is asked for. */
    public static Backend open(String name) {
        String refusal = shadowRefusal();
        if (refusal != null) {
            throw new BackendException(refusal);
        }
        return Backends.create(name);
    }

    /**
     * The named backend with the given CUDA matmul implementation. Backends other than
     * CUDA ignore the property, so one benchmark body serves them all.
     */
    public static Backend open(String name, String cudaMatmul) {
        System.setProperty(CUDA_MATMUL_PROPERTY, cudaMatmul);
        return open(name);
    }

    /**
     * The end of a kernel-only measurement: wait for the queued work inside the measured time,
     * hand the result to the blackhole, and free it so that device memory stays flat.
     */
    public static void finish(Backend backend, Blackhole bh, Tensor result) {
        backend.synchronize();
        bh.consume(result);
        result.close();
    }
}

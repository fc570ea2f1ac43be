package dev.tensorbackend.bench;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.bench.workload.Workloads;
import java.util.concurrent.TimeUnit;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;
import org.ejml.dense.row.CommonOps_MT_FDRM;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The established pure-Java peer: EJML's float matrix multiply on the same square sizes
 * as {@link MatmulBench}, single-threaded ({@code CommonOps_FDRM}) and on every core
 * ({@code CommonOps_MT_FDRM}). The output matrix is reused, as EJML users do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1)
public class EjmlMatmulBench {

    @Param({"64", "128", "256", "512", "1024", "2048", "4096"})
    public String size;

    private FMatrixRMaj a;
    private FMatrixRMaj b;
    private FMatrixRMaj c;

    @Setup
    public void setUp() {
        int n = Integer.parseInt(size);
        a = new FMatrixRMaj(n, n, true, Workloads.random(Shape.of(n, n), 1));
        b = new FMatrixRMaj(n, n, true, Workloads.random(Shape.of(n, n), 2));
        c = new FMatrixRMaj(n, n);
    }

    @Benchmark
    public FMatrixRMaj singleThread() {
        return CommonOps_FDRM.mult(a, b, c);
    }

    @Benchmark
    public FMatrixRMaj multiThread() {
        return CommonOps_MT_FDRM.mult(a, b, c);
    }
}

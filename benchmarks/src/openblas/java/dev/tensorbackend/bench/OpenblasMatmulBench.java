package dev.tensorbackend.bench;

import dev.tensorbackend.bench.workload.MatmulCase;
import dev.tensorbackend.bench.workload.Workloads;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * OpenBLAS's {@code cblas_sgemm} (through JavaCPP) on {@link MatmulBench}'s shapes, kernel-only:
 * operands resident in native memory, allocated and filled once, as our backends' operands
 * already live on the backend. The attention shapes run one sgemm per batch entry, the scores
 * with B transposed by flag (CblasTrans), as our backends do it.
 *
 * <p>Unlike ours, OpenBLAS allocates nothing: it writes into a preallocated resident output,
 * where our backends return a new tensor each call. That favours OpenBLAS.
 *
 * <p>OpenBLAS's worker threads spin for a while after each call; this class runs in JMH forks of
 * its own, never in a JVM that also measures ours. Thread count: our CPU backend's (see
 * {@link Openblas#load()}). The core OpenBLAS picks is its own choice for this CPU unless
 * OPENBLAS_CORETYPE is set in the environment (the report's notes name it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OpenblasMatmulBench {

    @Param({"64", "128", "256", "512", "1024", "2048", "4096",
            "qkt-8x64x32", "av-8x64x32", "qkt-32x512x64", "av-32x512x64",
            "tall-16384x64x64", "tallbt-16384x64x64", "wgrad-64x16384x64"})
    public String size;

    private Openblas.Gemm g;
    private FloatPointer a;
    private FloatPointer b;
    private FloatPointer out;

    @Setup
    public void setUp() {
        Openblas.load();
        MatmulCase c = MatmulCase.parse(size);
        g = Openblas.Gemm.of(c);
        float[] aHost = Workloads.random(c.a(), 1);
        float[] bHost = Workloads.random(c.b(), 2);
        a = Openblas.resident(aHost);
        b = Openblas.resident(bHost);
        out = new FloatPointer(g.batch() * g.cSize());
        // a benchmark of a wrong product is worthless: one call, checked before any is timed
        Openblas.multiply(g, a, b, out);
        Openblas.check(g, aHost, bHost, out, 256, size);
    }

    @Benchmark
    public void kernelOnly(Blackhole bh) {
        // cblas_sgemm returns when the product is written (its threads join before it returns)
        Openblas.multiply(g, a, b, out);
        bh.consume(out);
    }

    @TearDown
    public void tearDown() {
        a.close();
        b.close();
        out.close();
    }
}

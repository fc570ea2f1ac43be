package dev.tensorbackend.bench;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.bench.workload.MatmulCase;
import dev.tensorbackend.bench.workload.Workloads;
import java.util.concurrent.TimeUnit;
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
 * Matrix multiply on a backend: square sizes, the network's attention products (the
 * shapes of {@link TrainStepBench}'s small and large configurations) and a dense layer's
 * three tall and skinny products, one per transpose ({@link MatmulCase}).
 * On CUDA this class measures our own kernel; {@link CublasMatmulBench} measures cuBLAS
 * with the same body. The annotations hold the full settings; {@link BenchMain}'s quick
 * mode overrides them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class MatmulBench {

    @Param({"cpu"})
    public String backend;

    @Param({"64", "128", "256", "512", "1024", "2048", "4096",
            "qkt-8x64x32", "av-8x64x32", "qkt-32x512x64", "av-32x512x64",
            "tall-16384x64x64", "tallbt-16384x64x64", "wgrad-64x16384x64"})
    public String size;

    private Backend be;
    private MatmulCase c;
    private float[] aHost;
    private float[] bHost;
    private Tensor a;
    private Tensor b;

    /** Which CUDA matmul this class measures; read by the backend when it is created. */
    protected String cudaMatmul() {
        return "kernel";
    }

    @Setup
    public void setUp() {
        c = MatmulCase.parse(size);
        be = BenchBackends.open(backend, cudaMatmul());
        aHost = Workloads.random(c.a(), 1);
        bHost = Workloads.random(c.b(), 2);
        a = be.upload(c.a(), aHost);
        b = be.upload(c.b(), bHost);
        be.synchronize();
    }

    /** Operands already on the backend; the product is waited for, not copied back. */
    @Benchmark
    public void kernelOnly(Blackhole bh) {
        BenchBackends.finish(be, bh, be.matmul(a, c.transA(), b, c.transB()));
    }

    /** What a caller holding Java arrays pays: upload both operands, multiply, download. */
    @Benchmark
    public float[] endToEnd() {
        try (Tensor da = be.upload(c.a(), aHost);
             Tensor db = be.upload(c.b(), bHost);
             Tensor out = be.matmul(da, c.transA(), db, c.transB())) {
            return be.download(out);
        }
    }

    @TearDown
    public void tearDown() {
        a.close();
        b.close();
        be.close();
    }
}

package dev.tensorbackend.bench;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.bench.workload.SoftmaxCase;
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
 * Row-wise softmax forward and backward over square matrices, kernel-only and end-to-end.
 * The backward pass gets a real softmax output as {@code y}, computed once at setup.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SoftmaxBench {

    @Param({"cpu"})
    public String backend;

    @Param({"1024", "2048", "4096", "8192"})
    public String size;

    private Backend be;
    private SoftmaxCase c;
    private float[] xHost;
    private float[] yHost;
    private float[] gradYHost;
    private Tensor x;
    private Tensor y;
    private Tensor gradY;

    @Setup
    public void setUp() {
        c = SoftmaxCase.parse(size);
        be = BenchBackends.open(backend);
        xHost = Workloads.random(c.shape(), 1);
        gradYHost = Workloads.random(c.shape(), 2);
        x = be.upload(c.shape(), xHost);
        y = be.softmax(x);
        yHost = be.download(y);
        gradY = be.upload(c.shape(), gradYHost);
        be.synchronize();
    }

    @Benchmark
    public void forwardKernelOnly(Blackhole bh) {
        BenchBackends.finish(be, bh, be.softmax(x));
    }

    @Benchmark
    public void backwardKernelOnly(Blackhole bh) {
        BenchBackends.finish(be, bh, be.softmaxBackward(y, gradY));
    }

    @Benchmark
    public float[] forwardEndToEnd() {
        try (Tensor in = be.upload(c.shape(), xHost);
             Tensor out = be.softmax(in)) {
            return be.download(out);
        }
    }

    @Benchmark
    public float[] backwardEndToEnd() {
        try (Tensor yy = be.upload(c.shape(), yHost);
             Tensor dy = be.upload(c.shape(), gradYHost);
             Tensor dx = be.softmaxBackward(yy, dy)) {
            return be.download(dx);
        }
    }


    @TearDown
    public void tearDown() {
        x.close();
        y.close();
        gradY.close();
        be.close();
    }
}

package dev.tensorbackend.bench;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.bench.workload.ConvCase;
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
 * 2-D convolution forward and its two backward passes, each kernel-only (operands resident,
 * result waited for) and end-to-end (operands uploaded, result downloaded).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class Conv2dBench {

    @Param({"cpu"})
    public String backend;

    @Param({"documented", "mid", "mid-b1", "large"})
    public String shape;

    private Backend be;
    private ConvCase c;
    private float[] inputHost;
    private float[] filterHost;
    private float[] gradOutputHost;
    private Tensor input;
    private Tensor filter;
    private Tensor gradOutput;

    @Setup
    public void setUp() {
        c = ConvCase.parse(shape);
        be = BenchBackends.open(backend);
        inputHost = Workloads.random(c.input(), 1);
        filterHost = Workloads.random(c.filter(), 2);
        gradOutputHost = Workloads.random(c.output(), 3);
        input = be.upload(c.input(), inputHost);
        filter = be.upload(c.filter(), filterHost);
        gradOutput = be.upload(c.output(), gradOutputHost);
        be.synchronize();
    }

    @Benchmark
    public void forwardKernelOnly(Blackhole bh) {
        BenchBackends.finish(be, bh, be.conv2d(input, filter, c.spec()));
    }

    @Benchmark
    public void backwardInputKernelOnly(Blackhole bh) {
        BenchBackends.finish(be, bh, be.conv2dBackwardInput(gradOutput, filter, c.input(), c.spec()));
    }

    @Benchmark
    public void backwardFilterKernelOnly(Blackhole bh) {
        BenchBackends.finish(be, bh, be.conv2dBackwardFilter(input, gradOutput, c.filter(), c.spec()));
    }

    @Benchmark
    public float[] forwardEndToEnd() {
        try (Tensor in = be.upload(c.input(), inputHost);
             Tensor f = be.upload(c.filter(), filterHost);
             Tensor out = be.conv2d(in, f, c.spec())) {
            return be.download(out);
        }
    }

    @Benchmark
    public float[] backwardInputEndToEnd() {
        try (Tensor dy = be.upload(c.output(), gradOutputHost);
             Tensor f = be.upload(c.filter(), filterHost);
             Tensor dx = be.conv2dBackwardInput(dy, f, c.input(), c.spec())) {
            return be.download(dx);
        }
    }

    @Benchmark
    public float[] backwardFilterEndToEnd() {
        try (Tensor in = be.upload(c.input(), inputHost);
             Tensor dy = be.upload(c.output(), gradOutputHost);
             Tensor df = be.conv2dBackwardFilter(in, dy, c.filter(), c.spec())) {
            return be.download(df);
        }
    }


    @TearDown
    public void tearDown() {
        input.close();
        filter.close();
        gradOutput.close();
        be.close();
    }
}

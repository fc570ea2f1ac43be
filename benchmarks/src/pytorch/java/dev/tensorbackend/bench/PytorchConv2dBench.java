package dev.tensorbackend.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import dev.tensorbackend.bench.workload.ConvCase;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * PyTorch's 2-D convolution (through DJL) on {@link Conv2dBench}'s shapes, kernel-only.
 * DJL exposes no input- or filter-gradient op, so both gradients are autograd's: each
 * invocation's setup (untimed) records the forward with only the input (or only the filter)
 * requiring a gradient, and only the backward from the output with the upstream gradient dy
 * is timed; PyTorch's convolution backward then computes just that one gradient.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PytorchConv2dBench {

    @Param({"documented", "mid", "mid-b1", "large"})
    public String shape;

    NDManager manager;
    ConvCase c;
    NDArray input;
    NDArray filter;
    NDArray gradOutput;

    @Setup
    public void setUp() {
        c = ConvCase.parse(shape);
        manager = Torch.open();
        input = Torch.create(manager, c.input(), 1);
        filter = Torch.create(manager, c.filter(), 2);
        gradOutput = Torch.create(manager, c.output(), 3);
    }

    NDArray conv(NDArray in, NDArray f) {
        Shape stride = new Shape(c.spec().strideH(), c.spec().strideW());
        Shape pad = new Shape(c.spec().padH(), c.spec().padW());
        return Conv2d.conv2d(in, f, null, stride, pad, new Shape(1, 1), 1).singletonOrThrow();
    }

    @Benchmark
    public void forwardKernelOnly(Blackhole bh) {
        try (NDArray out = conv(input, filter)) {
            bh.consume(out);
        }
    }

    @Benchmark
    public void backwardInputKernelOnly(InputGraph g, Blackhole bh) {
        Torch.backward(g.out, gradOutput);
        bh.consume(g.gradient());
    }

    @Benchmark
    public void backwardFilterKernelOnly(FilterGraph g, Blackhole bh) {
        Torch.backward(g.out, gradOutput);
        bh.consume(g.gradient());
    }

    /** A forward graph recorded before each call, with a fresh leaf so its gradient is assigned, not accumulated. */
    abstract static class Graph {
        NDManager step;
        NDArray leaf;
        NDArray out;

        void record(PytorchConv2dBench b, boolean inputLeaf) {
            step = b.manager.newSubManager();
            leaf = (inputLeaf ? b.input : b.filter).duplicate();
            leaf.attach(step);
            leaf.setRequiresGradient(true);
            Torch.gradMode(true);
            out = inputLeaf ? b.conv(leaf, b.filter) : b.conv(b.input, leaf);
            out.attach(step);
            Torch.gradMode(false);
        }

        NDArray gradient() {
            NDArray g = leaf.getGradient();
            g.attach(step);
            return g;
        }

        @TearDown(Level.Invocation)
        public void drop() {
            step.close();
        }
    }

    @State(Scope.Thread)
    public static class InputGraph extends Graph {
        @Setup(Level.Invocation)
        public void record(PytorchConv2dBench b) {
            record(b, true);
        }
    }

    @State(Scope.Thread)
    public static class FilterGraph extends Graph {
        @Setup(Level.Invocation)
        public void record(PytorchConv2dBench b) {
            record(b, false);
        }
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}

package dev.tensorbackend.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.tensorbackend.bench.workload.SoftmaxCase;
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
 * PyTorch's row-wise softmax (through DJL) on {@link SoftmaxBench}'s sizes, kernel-only.
 * DJL has no softmax-backward op, so the backward pass is autograd's: each invocation's
 * setup (untimed) records {@code y = softmax(x)}, and only the backward from {@code y}
 * with the upstream gradient dy is timed, which runs PyTorch's softmax backward kernel.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PytorchSoftmaxBench {

    @Param({"1024", "2048", "4096", "8192"})
    public String size;

    NDManager manager;
    private SoftmaxCase c;
    NDArray x;
    private NDArray gradY;

    @Setup
    public void setUp() {
        c = SoftmaxCase.parse(size);
        manager = Torch.open();
        x = Torch.create(manager, c.shape(), 1);
        gradY = Torch.create(manager, c.shape(), 3);
    }

    @Benchmark
    public void forwardKernelOnly(Blackhole bh) {
        try (NDArray out = x.softmax(1)) {
            bh.consume(out);
        }
    }

    @Benchmark
    public void backwardKernelOnly(Recorded r, Blackhole bh) {
        Torch.backward(r.y, gradY);
        NDArray dx = r.leaf.getGradient();
        dx.attach(r.step);
        bh.consume(dx);
    }

    /**
     * The forward graph the backward benchmark runs from, recorded before each call (its own
     * state, so the forward benchmark has no per-call setup); a fresh leaf each time, so its
     * gradient is assigned, not added to the previous call's.
     */
    @State(Scope.Thread)
    public static class Recorded {
        NDManager step;
        NDArray leaf;
        NDArray y;

        @Setup(Level.Invocation)
        public void record(PytorchSoftmaxBench b) {
            step = b.manager.newSubManager();
            leaf = b.x.duplicate();
            leaf.attach(step);
            leaf.setRequiresGradient(true);
            Torch.gradMode(true);
            y = leaf.softmax(1);
            y.attach(step);
            Torch.gradMode(false);
        }

        @TearDown(Level.Invocation)
        public void drop() {
            step.close();
        }
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}

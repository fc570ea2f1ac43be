package dev.tensorbackend.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import dev.tensorbackend.bench.workload.TrainStepCase;
import dev.tensorbackend.network.NetworkConfig;
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

/**
 * One eager training step of our network written in PyTorch ops (through DJL), as
 * benchmarks/pytorch/baseline.py's train_step_fn does in Python: convolution with bias,
 * self-attention, dense layer and ReLU, squared error summed over the batch and divided by
 * it, autograd, plain SGD. Same shapes and learning rate as {@link TrainStepBench}; the
 * parameters are seeded random values scaled by 1/sqrt(fan-in) (the documented network's
 * own values would not change the time). Kernel-only: batch and parameters stay resident.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PytorchTrainStepBench {
    /** {@link TrainStepBench}'s: small enough that repeating the step on one batch stays finite. */
    private static final float LEARNING_RATE = 1e-4f;

    @Param({"documented", "small", "large"})
    public String config;

    private NDManager manager;
    private NetworkConfig cfg;
    private NDArray x;
    private NDArray y;
    private NDList params;

    @Setup
    public void setUp() {
        cfg = TrainStepBench.networkConfig(TrainStepCase.parse(config));
        manager = Torch.open();
        int t = cfg.tokens();
        int d = cfg.modelWidth();
        int f = cfg.filterSize();
        x = Torch.create(manager, dev.tensorbackend.api.Shape.of(cfg.batch(), 1, cfg.inputHeight(), cfg.inputWidth()), 1);
        y = Torch.create(manager, dev.tensorbackend.api.Shape.of(cfg.batch(), 1), 2);
        params = new NDList(
                param(dev.tensorbackend.api.Shape.of(1, 1, f, f), f * f, 10),
                manager.zeros(new Shape(1)),
                param(dev.tensorbackend.api.Shape.of(d, d), d, 11),
                param(dev.tensorbackend.api.Shape.of(d, d), d, 12),
                param(dev.tensorbackend.api.Shape.of(d, d), d, 13),
                param(dev.tensorbackend.api.Shape.of(1, t * d), t * d, 14),
                manager.zeros(new Shape(1)));
        for (NDArray p : params) {
            p.setRequiresGradient(true);
        }
    }

    private NDArray param(dev.tensorbackend.api.Shape shape, int fanIn, long seed) {
        NDArray p = Torch.create(manager, shape, seed);
        p.muli(1 / Math.sqrt(fanIn));
        return p;
    }

    @Benchmark
    public float kernelOnly() {
        // every intermediate (gradients included) lands on the step's manager and is freed with it
        try (NDManager step = manager.newSubManager()) {
            for (NDArray p : params) {
                p.tempAttach(step);
            }
            x.tempAttach(step);
            y.tempAttach(step);
            float cost;
            try (GradientCollector gc = manager.getEngine().newGradientCollector()) {
                NDArray loss = forward();
                cost = loss.getFloat();
                gc.backward(loss);
            }
            // outside the collector, so the in-place updates are not recorded; gradients are zeroed
            // for the next step (Python sets them to None; DJL keeps one buffer per parameter)
            for (NDArray p : params) {
                NDArray g = p.getGradient();
                p.subi(g.mul(LEARNING_RATE));
                g.muli(0);
            }
            return cost;
        }
    }

    private NDArray forward() {
        int b = cfg.batch();
        int t = cfg.tokens();
        int d = cfg.modelWidth();
        Shape stride = new Shape(cfg.stride(), cfg.stride());
        NDArray cn = Conv2d.conv2d(x, params.get(0), params.get(1), stride, new Shape(0, 0), new Shape(1, 1), 1)
                .singletonOrThrow()
                .reshape(b, t, d);
        NDArray q = cn.matMul(params.get(2));
        NDArray k = cn.matMul(params.get(3));
        NDArray v = cn.matMul(params.get(4));
        NDArray a = q.matMul(k.transpose(0, 2, 1)).div(Math.sqrt(d)).softmax(-1);
        NDArray yhat = Activation.relu(a.matMul(v).reshape(b, t * d).matMul(params.get(5).transpose()).add(params.get(6)));
        return yhat.sub(y).square().sum().div(b);
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }
}

package dev.tensorbackend.bench;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.bench.workload.TrainStepCase;
import dev.tensorbackend.bench.workload.Workloads;
import dev.tensorbackend.network.Network;
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
 * One training step of the network (forward, backward, SGD on every parameter): the
 * documented 4x4 network, and scaled ones where the attention is big enough for a GPU to
 * matter. Parameters stay on the backend in both variants, as in training; end-to-end also
 * uploads the batch each step. Either way the step's cost comes back to Java, which waits
 * for the step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TrainStepBench {
    /** Small enough that repeating the step on one batch stays finite for the whole run. */
    private static final float LEARNING_RATE = 1e-4f;

    @Param({"cpu"})
    public String backend;

    @Param({"documented", "small", "large"})
    public String config;

    private Backend be;
    private Network net;
    private float[] xHost;
    private float[] yHost;
    private Tensor x;
    private Tensor y;

    /** The network configuration a case names. */
    public static NetworkConfig networkConfig(TrainStepCase c) {
        return c.isDocumented() ? NetworkConfig.documented()
                : NetworkConfig.scaled(c.tokens(), c.modelWidth(), c.filterSize(), c.stride(), c.batch());
    }

    @Setup
    public void setUp() {
        TrainStepCase c = TrainStepCase.parse(config);
        be = BenchBackends.open(backend);
        net = c.isDocumented() ? Network.documented(be) : Network.random(be, networkConfig(c), 42);
        xHost = Workloads.random(net.inputShape(), 1);
        yHost = Workloads.random(net.targetShape(), 2);
        x = be.upload(net.inputShape(), xHost);
        y = be.upload(net.targetShape(), yHost);
        be.synchronize();
    }

    @Benchmark
    public float kernelOnly() {
        float cost = net.trainStep(x, y, LEARNING_RATE);
        be.synchronize();
        return cost;
    }

    @Benchmark
    public float endToEnd() {
        try (Tensor bx = be.upload(net.inputShape(), xHost);
             Tensor by = be.upload(net.targetShape(), yHost)) {
            float cost = net.trainStep(bx, by, LEARNING_RATE);
            be.synchronize();
            return cost;
        }
    }

    @TearDown
    public void tearDown() {
        x.close();
        y.close();
        net.close();
        be.close();
    }
}

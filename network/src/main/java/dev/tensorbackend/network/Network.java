package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The documented network on any backend: convolution, self-attention, dense + ReLU, the
 * cost {@code (y - yhat)^2} and plain SGD. Written against the Backend interface only.
 * Close it to free its parameters.
 */
public final class Network implements AutoCloseable {
    static final String UPDATED = "updated";

    private final Backend backend;
    private final NetworkConfig config;
    private final Conv2dLayer conv;
    private final SelfAttention attention;
    private final DenseLayer dense;
    private final MseCost cost;
    private final List<Parameter> parameters;

    private Network(Backend backend, NetworkConfig config, float[] f, float bC, float[] wq, float[] wk, float[] wv,
                    float[] wd, float bD) {
        this.backend = backend;
        this.config = config;
        int fs = config.filterSize(), d = config.modelWidth();
        Parameter pf = param("F", Shape.of(1, 1, fs, fs), f);
        Parameter pbC = param("bC", Shape.of(1), new float[] {bC});
        Parameter pwq = param("WQ", Shape.of(d, d), wq);
        Parameter pwk = param("WK", Shape.of(d, d), wk);
        Parameter pwv = param("WV", Shape.of(d, d), wv);
        Parameter pwd = param("WD", Shape.of(1, config.tokens() * d), wd);
        Parameter pbD = param("bD", Shape.of(1), new float[] {bD});
        this.conv = new Conv2dLayer(backend, pf, pbC, config.stride());
        this.attention = new SelfAttention(backend, pwq, pwk, pwv);
        this.dense = new DenseLayer(backend, pwd, pbD);
        this.cost = new MseCost(backend);
        this.parameters = Stream.of(conv.parameters(), attention.parameters(), dense.parameters())
                .flatMap(List::stream).toList();
    }

    private Parameter param(String name, Shape shape, float[] values) {
        return new Parameter(name, backend.upload(shape, values));
    }

    /** The network of documented-pass.md with its parameter values. */
    public static Network documented(Backend backend) {
        return new Network(backend, NetworkConfig.documented(), DocumentedPass.F, DocumentedPass.B_C, DocumentedPass.WQ,
                DocumentedPass.WK, DocumentedPass.WV, DocumentedPass.WD, DocumentedPass.B_D);
    }

    /** A network of any size, parameters drawn uniformly from +-1/sqrt(fan-in) with a fixed seed. */
    public static Network random(Backend backend, NetworkConfig config, long seed) {
        Random rnd = new Random(seed);
        int fs = config.filterSize(), d = config.modelWidth(), flat = config.tokens() * d;
        return new Network(backend, config, uniform(rnd, fs * fs, fs * fs), 0f, uniform(rnd, d * d, d),
                uniform(rnd, d * d, d), uniform(rnd, d * d, d), uniform(rnd, flat, flat), 0f);
    }

    private static float[] uniform(Random rnd, int n, int fanIn) {
        float limit = (float) (1 / Math.sqrt(fanIn));
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (rnd.nextFloat() * 2 - 1) * limit;
        }
        return a;
    }

    public NetworkConfig config() {
        return config;
    }

    public Backend backend() {
        return backend;
    }

    /** {@code [batch, 1, inputHeight, inputWidth]}. */
    public Shape inputShape() {
        return Shape.of(config.batch(), 1, config.inputHeight(), config.inputWidth());
    }

    /** {@code [batch, 1]}. */
    public Shape targetShape() {
        return Shape.of(config.batch(), 1);
    }

    /** Forward, backward and one SGD step on every parameter; returns the cost before the update. */
    public float trainStep(Tensor x, Tensor y, float learningRate) {
        return trainStep(x, y, learningRate, Recorder.NONE);
    }

    /**
     * One training step with every intermediate, gradient and updated parameter sent to
     * {@code recorder}. All gradients are taken at the parameters before the update.
     */
    float trainStep(Tensor x, Tensor y, float learningRate, Recorder recorder) {
        checkShape("input x", x, inputShape());
        checkShape("target y", y, targetShape());
        try (Step step = new Step(recorder)) {
            Tensor sa = attention.forward(conv.forward(x, step), step);
            Tensor z = dense.forward(sa, step);
            Tensor[] c = cost.costAndGradient(step.keep(Step.FORWARD, "yhat", backend.relu(z)), y, step);

            Tensor dz = step.temp(backend.reluBackward(z, c[1]));
            Tensor dSA = dense.backward(dz, sa.shape(), step);
            Tensor dCN = attention.backward(dSA, step);
            conv.backward(dCN, step);

            for (Parameter p : parameters) {
                backend.sgdUpdate(p.value(), p.grad(), learningRate);
                recorder.record(UPDATED, p.name(), p.value());
            }
            return c[0].toArray()[0];
        }
    }

    /** The cost at the current parameters, forward pass only. */
    public float cost(Tensor x, Tensor y) {
        checkShape("input x", x, inputShape());
        checkShape("target y", y, targetShape());
        try (Step step = new Step(Recorder.NONE)) {
            Tensor yhat = step.temp(backend.relu(dense.forward(attention.forward(conv.forward(x, step), step), step)));
            return cost.costAndGradient(yhat, y, step)[0].toArray()[0];
        }
    }

    private static void checkShape(String what, Tensor t, Shape expected) {
        if (!t.shape().equals(expected)) {
            throw new IllegalArgumentException("network: " + what + " has shape " + t.shape() + ", expected " + expected);
        }
    }

    /** The parameters in the order the documented pass lists them. */
    List<Parameter> parameters() {
        return parameters;
    }

    @Override
    public void close() {
        parameters.forEach(Parameter::close);
    }
}

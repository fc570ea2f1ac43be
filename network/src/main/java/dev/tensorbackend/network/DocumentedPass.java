package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The pass of docs/documented-pass.md: its inputs and parameters, and one training step on a
 * backend with the inputs, every intermediate, gradient and updated parameter recorded.
 */
public final class DocumentedPass {
    static final float[] X = {0, 3, -1, 0, 0, 0, 0, 0, 0, 0, 3, 0, 3, 0, 3, 1};
    static final float[] F = {1, 0, -1, 0};
    static final float B_C = 1;
    static final float[] WQ = {1, -2, 0, 2};
    static final float[] WK = {1, -1, 3, 0};
    static final float[] WV = {3, 1, -1, 1};
    static final float[] WD = {1, 1, 0, 2};
    static final float B_D = -1;
    static final float Y = 1;
    public static final float LEARNING_RATE = 0.1f;

    /** Names per section, in the order the documented pass lists them. */
    static final Map<String, List<String>> ORDER = Map.of(
            Step.FORWARD, List.of("CN", "Q", "K", "V", "S", "A", "SA", "z", "yhat", "C"),
            Step.GRADIENTS, List.of("dyhat", "dSA", "dV", "dA", "dS", "dQ", "dK", "dCN", "F", "bC", "WQ", "WK", "WV", "WD", "bD"),
            Network.UPDATED, List.of("F", "bC", "WQ", "WK", "WV", "WD", "bD"));
    static final List<String> SECTIONS = List.of(Step.FORWARD, Step.GRADIENTS, Network.UPDATED);
    /** The section of the record that holds what the pass starts from, printed before the others. */
    static final String INPUTS = "inputs";

    private DocumentedPass() {
    }

    /** Runs one documented training step on {@code backend} and records every value. */
    public static PassRecord run(Backend backend) {
        List<PassRecord.Entry> entries = new ArrayList<>();
        try (Network net = Network.documented(backend);
             Tensor x = backend.upload(net.inputShape(), X);
             Tensor y = backend.upload(net.targetShape(), new float[] {Y})) {
            net.trainStep(x, y, LEARNING_RATE, (section, name, t) -> {
                if (ORDER.get(section).contains(name)) {
                    entries.add(new PassRecord.Entry(section, name, squeeze(t.shape()), t.toArray()));
                }
            });
        }
        entries.sort(Comparator.comparingInt((PassRecord.Entry e) -> SECTIONS.indexOf(e.section()))
                .thenComparingInt(e -> ORDER.get(e.section()).indexOf(e.name())));
        entries.addAll(0, inputs());
        return new PassRecord(backend.name(), List.copyOf(entries));
    }

    /** The input, the target, the parameters before the step and the learning rate, as documented. */
    static List<PassRecord.Entry> inputs() {
        return List.of(input("X", Shape.of(4, 4), X), input("F", Shape.of(2, 2), F), input("bC", Shape.scalar(), B_C),
                input("WQ", Shape.of(2, 2), WQ), input("WK", Shape.of(2, 2), WK), input("WV", Shape.of(2, 2), WV),
                input("WD", Shape.of(4), WD), input("bD", Shape.scalar(), B_D), input("y", Shape.scalar(), Y),
                input("learningRate", Shape.scalar(), LEARNING_RATE));
    }

    private static PassRecord.Entry input(String name, Shape shape, float... values) {
        return new PassRecord.Entry(INPUTS, name, shape, values.clone());
    }

    /** Hears the cost before each step, as soon as it is known. */
    @FunctionalInterface
    public interface CostListener {
        void cost(int step, float cost);
    }

    /**
     * Trains the documented network for {@code steps} SGD steps and hands the cost before each
     * step to {@code listener} as it goes; nothing is stored per step, so any step count runs in
     * the memory of one.
     */
    public static void train(Backend backend, int steps, CostListener listener) {
        try (Network net = Network.documented(backend);
             Tensor x = backend.upload(net.inputShape(), X);
             Tensor y = backend.upload(net.targetShape(), new float[] {Y})) {
            for (int i = 0; i < steps; i++) {
                listener.cost(i + 1, net.trainStep(x, y, LEARNING_RATE));
            }
        }
    }

    private static Shape squeeze(Shape s) {
        return Shape.of(Arrays.stream(s.dims()).filter(d -> d != 1).toArray());
    }
}

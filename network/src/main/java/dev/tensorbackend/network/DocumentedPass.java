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
 * The pass of documented-pass.md: its inputs and parameters, and one training step on a
 * backend with every intermediate, gradient and updated parameter recorded.
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
        return new PassRecord(backend.name(), List.copyOf(entries));
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

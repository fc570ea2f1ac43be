package dev.tensorbackend.bench.workload;

import dev.tensorbackend.api.Shape;
import java.util.SplittableRandom;

/** Helpers every benchmark's inputs share. */
public final class Workloads {
    private Workloads() {
    }

    /** "[8,128,64]": a shape without the spaces of {@link Shape#toString()}. */
    public static String dims(Shape s) {
        return s.toString().replace(" ", "");
    }

    /** Seeded uniform values in [-1, 1): the same inputs on every backend and every run. */
    public static float[] random(Shape shape, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] v = new float[shape.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return v;
    }
}

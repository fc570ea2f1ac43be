package dev.tensorbackend.api.check;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What one run of an {@link OpCase} works with: the backend, a random stream seeded by the
 * case (so the candidate and the reference draw identical inputs), and a scope that closes
 * every tensor the case made, whatever happens.
 */
public final class OpInputs implements AutoCloseable {
    private final Backend backend;
    private final SplittableRandom random;
    private final List<Tensor> tensors = new ArrayList<>();

    OpInputs(Backend backend, long seed) {
        this.backend = backend;
        this.random = new SplittableRandom(seed);
    }

    public Backend backend() {
        return backend;
    }

    /** Uniform values in [-scale, scale). */
    public float[] values(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((random.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    /** Uniform values in [-1, 1). */
    public float[] values(int n) {
        return values(n, 1f);
    }

    /** A tensor of uniform values in [-1, 1). */
    public Tensor random(Shape shape) {
        return upload(shape, values(shape.size()));
    }

    public Tensor upload(Shape shape, float[] data) {
        return keep(backend.upload(shape, data));
    }

    /** Closes {@code t} with the scope. */
    public Tensor keep(Tensor t) {
        tensors.add(t);
        return t;
    }

    /** Downloads an op's result (closing it with the scope). */
    public float[] result(Tensor t) {
        return keep(t).toArray();
    }

    @Override
    public void close() {
        for (int i = tensors.size() - 1; i >= 0; i--) {
            tensors.get(i).close();
        }
        tensors.clear();
    }
}

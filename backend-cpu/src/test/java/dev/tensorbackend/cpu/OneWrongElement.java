package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.api.testing.DelegatingBackend;

/**
 * A deliberately wrong backend for the shadow tests: the CPU backend, except that one op
 * ({@code mul} or {@code matmul}) adds {@code error} to one element of its result.
 */
final class OneWrongElement extends DelegatingBackend {
    private final String wrongOp;
    private final int element;
    private final float error;

    OneWrongElement(String wrongOp, int element, float error) {
        super("wrong", new CpuBackend());
        this.wrongOp = wrongOp;
        this.element = element;
        this.error = error;
    }

    private Tensor spoil(String op, Tensor t) {
        if (!op.equals(wrongOp)) {
            return t;
        }
        float[] v = t.toArray();
        v[element] += error;
        Tensor wrong = d.upload(t.shape(), v);
        t.close();
        return wrong;
    }

    @Override
    public Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB) {
        return spoil("matmul", d.matmul(a, transA, b, transB));
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return spoil("mul", d.mul(a, b));
    }
}

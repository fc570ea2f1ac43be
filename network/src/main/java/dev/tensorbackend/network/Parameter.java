package dev.tensorbackend.network;

import dev.tensorbackend.api.Tensor;

/** A trainable tensor and the gradient the latest backward pass left for it. */
final class Parameter implements AutoCloseable {
    private final String name;
    private final Tensor value;
    private Tensor grad;

    Parameter(String name, Tensor value) {
        this.name = name;
        this.value = value;
    }

    String name() {
        return name;
    }

    Tensor value() {
        return value;
    }

    Tensor grad() {
        if (grad == null) {
            throw new IllegalStateException(name + ": no gradient; run backward first");
        }
        return grad;
    }

    /** Sets the gradient; its owner (a step's scope) closes it. */
    void setGrad(Tensor grad) {
        this.grad = grad;
    }

    @Override
    public void close() {
        value.close();
    }
}

package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.List;

/**
 * {@code z = W s + b} for the flattened (row-major) attention output {@code s}; with a batch,
 * {@code z [batch, out] = s [batch, in] W^T + b} and {@code W} is {@code [out, in]}.
 */
final class DenseLayer {
    private final Backend backend;
    private final Parameter weights;
    private final Parameter bias;
    private Tensor input;

    DenseLayer(Backend backend, Parameter weights, Parameter bias) {
        this.backend = backend;
        this.weights = weights;
        this.bias = bias;
    }

    List<Parameter> parameters() {
        return List.of(weights, bias);
    }

    /** Flattens {@code [batch, tokens, d]} to {@code [batch, tokens * d]} and applies the layer. */
    Tensor forward(Tensor sa, Step step) {
        Shape s = sa.shape();
        input = step.temp(backend.reshape(sa, Shape.of(s.dim(0), s.dim(1) * s.dim(2))));
        Tensor wx = step.temp(backend.matmul(input, false, weights.value(), true));
        return step.keep(Step.FORWARD, "z", backend.addBias(wx, bias.value(), 1));
    }

    /** Sets the weight and bias gradients and returns the gradient with respect to the input, unflattened to {@code like}. */
    Tensor backward(Tensor dz, Shape like, Step step) {
        weights.setGrad(step.keep(Step.GRADIENTS, weights.name(), backend.matmul(dz, true, input, false)));
        bias.setGrad(step.keep(Step.GRADIENTS, bias.name(), backend.sumToAxis(dz, 1)));
        Tensor ds = step.temp(backend.matmul(dz, weights.value()));
        return step.keep(Step.GRADIENTS, "dSA", backend.reshape(ds, like));
    }
}

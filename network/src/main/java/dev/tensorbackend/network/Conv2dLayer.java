package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.List;

/**
 * One-channel convolution (cross-correlation, no padding) plus a scalar bias; its output
 * {@code [batch, 1, tokens, width]} is handed on as {@code [batch, tokens, width]}.
 */
final class Conv2dLayer {
    private final Backend backend;
    private final Parameter filter;
    private final Parameter bias;
    private final ConvSpec spec;
    private Tensor input;

    Conv2dLayer(Backend backend, Parameter filter, Parameter bias, int stride) {
        this.backend = backend;
        this.filter = filter;
        this.bias = bias;
        this.spec = ConvSpec.of(stride, 0);
    }

    List<Parameter> parameters() {
        return List.of(filter, bias);
    }

    Tensor forward(Tensor x, Step step) {
        input = x;
        Tensor conv = step.temp(backend.conv2d(x, filter.value(), spec));
        Tensor biased = step.temp(backend.addBias(conv, bias.value(), 1));
        Shape s = biased.shape();
        return step.keep(Step.FORWARD, "CN", backend.reshape(biased, Shape.of(s.dim(0), s.dim(2), s.dim(3))));
    }

    /** Sets the filter and bias gradients; the input needs none. */
    void backward(Tensor dCN, Step step) {
        Shape s = dCN.shape();
        Tensor dOut = step.temp(backend.reshape(dCN, Shape.of(s.dim(0), 1, s.dim(1), s.dim(2))));
        filter.setGrad(step.keep(Step.GRADIENTS, filter.name(),
                backend.conv2dBackwardFilter(input, dOut, filter.value().shape(), spec)));
        bias.setGrad(step.keep(Step.GRADIENTS, bias.name(), backend.sumToAxis(dOut, 1)));
    }
}

package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Tensor;

/**
 * {@code C = (y - yhat)^2}, averaged over the batch: {@code C = (1/B) sum (y - yhat)^2} and
 * {@code dC/dyhat = (2/B)(yhat - y)}. With one example this is exactly the documented cost.
 */
final class MseCost {
    private final Backend backend;

    MseCost(Backend backend) {
        this.backend = backend;
    }

    /** The cost (a scalar tensor) and its gradient with respect to {@code yhat}. */
    Tensor[] costAndGradient(Tensor yhat, Tensor y, Step step) {
        float batch = yhat.shape().dim(0);
        Tensor diff = step.temp(backend.add(yhat, step.temp(backend.scale(y, -1))));
        Tensor c = step.keep(Step.FORWARD, "C", backend.scale(step.temp(backend.sum(step.temp(backend.mul(diff, diff)))), 1 / batch));
        Tensor dyhat = step.keep(Step.GRADIENTS, "dyhat", backend.scale(diff, 2 / batch));
        return new Tensor[] {c, dyhat};
    }
}

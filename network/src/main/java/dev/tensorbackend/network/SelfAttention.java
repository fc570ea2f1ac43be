package dev.tensorbackend.network;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.List;

/**
 * {@code SA = softmax(Q K^T / sqrt(d)) V} with {@code Q = X WQ, K = X WK, V = X WV}, the
 * softmax taken along each row (each query over all keys), for a batch of token matrices
 * {@code X [batch, tokens, d]}. The transposes are matmul flags, never materialised.
 */
final class SelfAttention {
    private final Backend backend;
    private final Parameter wq;
    private final Parameter wk;
    private final Parameter wv;
    private final float invSqrtD;
    private Tensor x;
    private Tensor q;
    private Tensor k;
    private Tensor v;
    private Tensor a;

    SelfAttention(Backend backend, Parameter wq, Parameter wk, Parameter wv) {
        this.backend = backend;
        this.wq = wq;
        this.wk = wk;
        this.wv = wv;
        this.invSqrtD = (float) (1 / Math.sqrt(wq.value().shape().dim(0)));
    }

    List<Parameter> parameters() {
        return List.of(wq, wk, wv);
    }

    Tensor forward(Tensor tokens, Step step) {
        x = tokens;
        q = step.keep(Step.FORWARD, "Q", backend.matmul(x, wq.value()));
        k = step.keep(Step.FORWARD, "K", backend.matmul(x, wk.value()));
        v = step.keep(Step.FORWARD, "V", backend.matmul(x, wv.value()));
        Tensor qk = step.temp(backend.matmul(q, false, k, true));
        Tensor s = step.keep(Step.FORWARD, "S", backend.scale(qk, invSqrtD));
        a = step.keep(Step.FORWARD, "A", backend.softmax(s));
        return step.keep(Step.FORWARD, "SA", backend.matmul(a, v));
    }

    /** Sets the three weight gradients and returns the gradient with respect to the tokens. */
    Tensor backward(Tensor dSA, Step step) {
        Tensor dV = step.keep(Step.GRADIENTS, "dV", backend.matmul(a, true, dSA, false));
        Tensor dA = step.keep(Step.GRADIENTS, "dA", backend.matmul(dSA, false, v, true));
        Tensor dS = step.keep(Step.GRADIENTS, "dS", backend.softmaxBackward(a, dA));
        // S = Q K^T / sqrt(d): the 1/sqrt(d) factor goes to both Q's and K's gradient
        Tensor dQ = step.keep(Step.GRADIENTS, "dQ", backend.scale(step.temp(backend.matmul(dS, k)), invSqrtD));
        Tensor dK = step.keep(Step.GRADIENTS, "dK", backend.scale(step.temp(backend.matmul(dS, true, q, false)), invSqrtD));

        wq.setGrad(step.keep(Step.GRADIENTS, wq.name(), weightGradient(dQ, step)));
        wk.setGrad(step.keep(Step.GRADIENTS, wk.name(), weightGradient(dK, step)));
        wv.setGrad(step.keep(Step.GRADIENTS, wv.name(), weightGradient(dV, step)));

        Tensor viaQ = step.temp(backend.matmul(dQ, false, wq.value(), true));
        Tensor viaK = step.temp(backend.matmul(dK, false, wk.value(), true));
        Tensor viaV = step.temp(backend.matmul(dV, false, wv.value(), true));
        return step.keep(Step.GRADIENTS, "dCN", backend.add(step.temp(backend.add(viaQ, viaK)), viaV));
    }

    /** For {@code P = X W}: {@code dW = sum over the batch of X^T dP}, as one matmul over all rows. */
    private Tensor weightGradient(Tensor dP, Step step) {
        Shape s = x.shape();
        Shape rows = Shape.of(s.dim(0) * s.dim(1), s.dim(2));
        return backend.matmul(step.temp(backend.reshape(x, rows)), true, step.temp(backend.reshape(dP, rows)), false);
    }
}

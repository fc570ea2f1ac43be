package dev.tensorbackend.network;

import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.api.TensorScope;

/**
 * The tensors of one training step: every tensor made during the step is tracked here and
 * freed when the step closes; the named ones also go to the recorder.
 */
final class Step implements AutoCloseable {
    static final String FORWARD = "forward";
    static final String GRADIENTS = "gradients";

    private final TensorScope scope = new TensorScope();
    private final Recorder recorder;

    Step(Recorder recorder) {
        this.recorder = recorder;
    }

    /** A named intermediate: tracked, and recorded under {@code section}. */
    Tensor keep(String section, String name, Tensor t) {
        scope.track(t);
        recorder.record(section, name, t);
        return t;
    }

    /** A nameless temporary: tracked only. */
    Tensor temp(Tensor t) {
        return scope.track(t);
    }

    @Override
    public void close() {
        scope.close();
    }
}

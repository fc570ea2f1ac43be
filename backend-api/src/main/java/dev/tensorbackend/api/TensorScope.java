package dev.tensorbackend.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Closes every tensor it tracks when it closes, so that the temporaries of a computation
 * (on a GPU: device memory) are freed at a known point:
 * <pre>{@code
 * try (TensorScope scope = new TensorScope()) {
 *     Tensor h = scope.track(backend.matmul(x, w));
 *     ...
 * }
 * }</pre>
 */
public final class TensorScope implements AutoCloseable {
    private final List<Tensor> tensors = new ArrayList<>();

    /** Tracks {@code t} and returns it. */
    public Tensor track(Tensor t) {
        tensors.add(t);
        return t;
    }

    /** Closes the tracked tensors, newest first; a tensor already closed is skipped. */
    @Override
    public void close() {
        for (int i = tensors.size() - 1; i >= 0; i--) {
            tensors.get(i).close();
        }
        tensors.clear();
    }
}

package dev.tensorbackend.api;

/**
 * A float32 row-major tensor that lives where its backend keeps it (the Java heap for the
 * CPU backend, device memory for CUDA). Data crosses to the Java heap only through
 * {@link #toArray()} / {@link Backend#download(Tensor)}.
 *
 * <p>Close a tensor when done with it: for a GPU backend that frees device memory at once
 * instead of whenever the garbage collector runs. Using a closed tensor is an error.
 * Tensors are not thread-safe.
 */
public abstract class Tensor implements AutoCloseable {
    private final Backend backend;
    private final Shape shape;
    private boolean closed;

    protected Tensor(Backend backend, Shape shape) {
        this.backend = backend;
        this.shape = shape;
    }

    public final Backend backend() {
        return backend;
    }

    public final Shape shape() {
        return shape;
    }

    public final int size() {
        return shape.size();
    }

    public final boolean isClosed() {
        return closed;
    }

    /** Copies the contents to a new Java array. */
    public float[] toArray() {
        return backend.download(this);
    }

    /** Frees the storage; closing twice is harmless. */
    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            try {
                release();
            } finally {
                if (backend instanceof AbstractBackend<?> owner) {
                    owner.forget(this);
                }
            }
        }
    }

    /** Frees the backend's storage; called once, by {@link #close()}. */
    protected abstract void release();

    @Override
    public String toString() {
        return "Tensor(" + backend.name() + ", " + shape + (closed ? ", closed" : "") + ")";
    }
}

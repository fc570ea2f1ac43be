package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;

/** A tensor on the Java heap: a float array, row-major, possibly shared with reshapes of it ({@link HeapStorage}). */
final class CpuTensor extends Tensor {
    private final HeapBackend owner;
    private HeapStorage storage;

    CpuTensor(HeapBackend backend, Shape shape, HeapStorage storage) {
        super(backend, shape);
        this.owner = backend;
        this.storage = storage;
    }

    /** The elements, for reading (ops write only arrays of their own results, or {@link HeapBackend#writable}). */
    float[] data() {
        return storage == null ? null : storage.data;
    }

    HeapStorage storage() {
        return storage;
    }

    /** Where this tensor's elements went when it got an array of its own ({@link HeapBackend#writable}). */
    void replaceStorage(HeapStorage own) {
        storage = own;
    }

    @Override
    protected void release() {
        owner.released(this);
        storage = null; // let the heap reclaim it even while the tensor object is still referenced
    }
}

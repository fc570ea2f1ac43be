package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;

/** A tensor on the Java heap: a float array, row-major. */
final class CpuTensor extends Tensor {
    private final HeapBackend owner;
    private float[] data;

    CpuTensor(HeapBackend backend, Shape shape, float[] data) {
        super(backend, shape);
        this.owner = backend;
        this.data = data;
    }

    float[] data() {
        return data;
    }

    @Override
    protected void release() {
        owner.released(this);
        data = null; // let the heap reclaim it even while the tensor object is still referenced
    }
}

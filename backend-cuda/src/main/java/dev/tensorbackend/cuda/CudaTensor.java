package dev.tensorbackend.cuda;

import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import jcuda.driver.CUdeviceptr;

/** A tensor in device memory; closing it frees that memory at once. */
final class CudaTensor extends Tensor {
    private final CudaBackend owner;
    private final CUdeviceptr pointer;

    CudaTensor(CudaBackend owner, Shape shape, CUdeviceptr pointer) {
        super(owner, shape);
        this.owner = owner;
        this.pointer = pointer;
    }

    /** The device address; null (address 0) for an empty tensor. */
    CUdeviceptr pointer() {
        return pointer;
    }

    long bytes() {
        return (long) size() * Float.BYTES;
    }

    @Override
    protected void release() {
        owner.release(this);
    }
}

package dev.tensorbackend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * What {@link CudaBackend} needs from a GPU: device memory, copies, and kernel launches.
 * {@link CudaContext} is the real one (JCuda driver API); the tests also run the backend on
 * a device that executes the same kernels on the CPU. Zero-length requests never reach a
 * device: the backend skips them.
 */
interface Device extends KernelRunner {
    /** Memory for {@code floats} floats (at least one); {@code forWhat} names it in errors. */
    CUdeviceptr allocate(long floats, String forWhat);

    /** Frees an allocation of this device; a null pointer or a second free does nothing. */
    void free(CUdeviceptr p);

    void copyToDevice(CUdeviceptr dst, float[] src);

    /** Waits for queued work, then copies; an earlier kernel's failure surfaces here, named by {@code what}. */
    void copyToHost(float[] dst, CUdeviceptr src, String what);

    void copyOnDevice(CUdeviceptr dst, CUdeviceptr src, long floats);

    void fillWithZeros(CUdeviceptr p, long floats);

    void synchronize(String op);

    /** Makes this device current for the calling thread. */
    void makeCurrent();

    int liveAllocations();

    long liveBytes();

    /** Releases the device; allocations must have been freed. */
    void close();
}

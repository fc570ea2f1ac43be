package dev.tensorbackend.cuda;

import java.util.OptionalDouble;

import jcuda.driver.CUdeviceptr;

/**
 * What {@link CudaBackend} needs from a GPU: raw device memory (which the backend's
 * {@link CachingAllocator} caches), copies, and kernel launches, all queued in order on one
 * stream. {@link CudaContext} is the real one (JCuda driver API); the tests also run the backend
 * on a device that executes the same kernels on the CPU. Zero-length requests never reach a
 * device: the backend skips them.
 */
interface Device extends KernelRunner, RawDeviceMemory {

    /** Copies {@code src} in; returns once {@code src} may change again (the copy itself may still be queued). */
    void copyToDevice(CUdeviceptr dst, float[] src);

    /** Waits for queued work, then copies; an earlier kernel's failure surfaces here, named by {@code what}. */
    void copyToHost(float[] dst, CUdeviceptr src, String what);

    void copyOnDevice(CUdeviceptr dst, CUdeviceptr src, long floats);

    void fillWithZeros(CUdeviceptr p, long floats);

    /** Waits for queued work; an earlier kernel's failure surfaces here, named by {@code op}. */
    void synchronize(String op);

    @Override
    default void awaitQueuedWork() {
        synchronize("waiting for queued work before freeing device memory");
    }

    /**
     * Runs {@code work}, waits for what it queued, and returns the device's own timing of it in
     * milliseconds, or empty where the device has no clock of its own (the CPU emulation: its
     * wall time would say nothing about a GPU).
     */
    default OptionalDouble timeMillis(Runnable work) {
        work.run();
        synchronize("timing work on the device");
        return OptionalDouble.empty();
    }

    /** Makes this device current for the calling thread. */
    void makeCurrent();

    /** Releases the device; every block must have been freed. */
    void close();
}

package dev.tensorbackend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * The driver's own allocator, as {@link CachingAllocator} uses it: every call here is a real
 * cuMemAlloc or cuMemFree (or, in tests, a fake that counts them and can run out of memory).
 */
interface RawDeviceMemory {
    /**
     * A new block of exactly {@code bytes} (more than 0), or null when the device is out of
     * memory; other failures throw.
     */
    CUdeviceptr allocateRaw(long bytes);

    /** Returns a block to the driver. */
    void freeRaw(CUdeviceptr p);

    /** Waits until the device has finished the work queued so far (before blocks go back to the driver). */
    void awaitQueuedWork();
}

package dev.tensorbackend.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import java.util.IdentityHashMap;
import java.util.Map;

import dev.tensorbackend.api.BackendException;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;

/**
 * Every device allocation of one backend, so that each is freed exactly once and the
 * backend's close can free what its user forgot. Zero bytes allocate nothing: the pointer
 * is null, which cuMemAlloc would reject, and no kernel reads it.
 */
final class DeviceMemory {
    private final Map<CUdeviceptr, Long> live = new IdentityHashMap<>();
    private long liveBytes;

    CUdeviceptr allocateFloats(long count, String forWhat) {
        long bytes = count * Float.BYTES;
        CUdeviceptr p = new CUdeviceptr();
        if (bytes == 0) {
            return p;
        }
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_OUT_OF_MEMORY")) {
                throw new BackendException("cuda: out of device memory allocating " + bytes + " bytes for " + forWhat
                        + " (this backend holds " + live.size() + " allocations, " + liveBytes + " bytes)", e);
            }
            throw new BackendException("cuda: cuMemAlloc of " + bytes + " bytes for " + forWhat + " failed: "
                    + e.getMessage(), e);
        }
        live.put(p, bytes);
        liveBytes += bytes;
        return p;
    }

    /** Frees an allocation of this backend; a null pointer (zero bytes) or a second free does nothing. */
    void free(CUdeviceptr p) {
        Long bytes = live.remove(p);
        if (bytes != null) {
            liveBytes -= bytes;
            cuMemFree(p);
        }
    }

    int liveCount() {
        return live.size();
    }

    long liveBytes() {
        return liveBytes;
    }
}

package dev.tensorbackend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemHostAlloc;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamDestroy;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

import dev.tensorbackend.api.BackendException;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * Device 0's primary context (the one cuBLAS shares) with our kernel modules loaded, one
 * stream, and the one place kernels are launched.
 *
 * <p><b>One stream.</b> Every launch, copy and memset goes on {@link #stream()}, created
 * non-blocking so that it never waits for the legacy default stream (cuBLAS is set to the same
 * stream). Work therefore runs in the order it was queued, which is what lets the caching
 * allocator hand a closed tensor's block to the next op at once. Only {@link #copyToHost},
 * {@link #copyToDevice} (see there), {@link #synchronize} and closing wait, and they wait for
 * this stream alone (cuStreamSynchronize), not the whole device.
 *
 * <p><b>Staging.</b> Copies between Java arrays and the device go through one page-locked host
 * buffer (cuMemHostAlloc), so that the driver can copy asynchronously by DMA. It grows to the
 * largest copy up to {@value #STAGING_LIMIT} bytes; larger copies go through it in pieces.
 *
 * <p>With {@code debug} every launch is followed by a synchronisation, so an error is reported
 * with the name of the kernel that caused it instead of surfacing at some later call.
 */
final class CudaContext implements Device, AutoCloseable {
    /** The most page-locked host memory the staging buffer takes. */
    static final long STAGING_LIMIT = 64L << 20;
    private static final long STAGING_MIN = 64L << 10;

    private final CUdevice device;
    private final CUcontext context;
    private final CUstream stream;
    private final Map<String, CUmodule> modules;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final boolean debug;
    private Pointer staging;
    private long stagingBytes;
    private boolean closed;

    private CudaContext(CUdevice device, CUcontext context, CUstream stream, Map<String, CUmodule> modules, boolean debug) {
        this.device = device;
        this.context = context;
        this.stream = stream;
        this.modules = modules;
        this.debug = debug;
    }

    static CudaContext open(PtxResources kernels, boolean debug) {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        CUdevice device = new CUdevice();
        cuDeviceGet(device, 0);
        CUcontext context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        Map<String, CUmodule> modules = new LinkedHashMap<>();
        CUstream stream = null;
        try {
            cuCtxSetCurrent(context);
            for (String name : PtxResources.MODULES) {
                CUmodule module = new CUmodule();
                cuModuleLoadData(module, kernels.image(name));
                modules.put(name, module);
            }
            CUstream s = new CUstream();
            cuStreamCreate(s, CUstream_flags.CU_STREAM_NON_BLOCKING);
            stream = s;
        } catch (CudaException | IllegalStateException e) {
            modules.values().forEach(m -> cuModuleUnload(m));
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
        return new CudaContext(device, context, stream, modules, debug);
    }

    /** Backends are not thread-safe, but the thread that uses one need not be the one that made it. */
    @Override
    public void makeCurrent() {
        cuCtxSetCurrent(context);
    }

    /** The stream all of this context's work is queued on. */
    CUstream stream() {
        return stream;
    }

    boolean debug() {
        return debug;
    }

    /** Allocates and frees one megabyte: a device without memory to spare fails here, not in the first op. */
    void probeAllocation() {
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, 1 << 20);
        cuMemFree(p);
    }

    @Override
    public void launch(String module, String kernel, LaunchConfig c, KernelArgs args) {
        String what = module + ".cu:" + kernel + " " + c;
        try {
            cuLaunchKernel(function(module, kernel), c.gridX(), c.gridY(), c.gridZ(), c.blockX(), c.blockY(), c.blockZ(),
                    c.sharedBytes(), stream, args.toKernelParams(), null);
        } catch (CudaException e) {
            throw new BackendException("cuda: launching kernel " + what + " failed: " + e.getMessage()
                    + (debug ? "" : " (it may be an earlier kernel's error; -D" + CudaBackend.DEBUG_PROPERTY
                    + "=true names the kernel that failed)"), e);
        }
        if (debug) {
            try {
                cuStreamSynchronize(stream);
            } catch (CudaException e) {
                throw new BackendException("cuda: kernel " + what + " failed: " + e.getMessage(), e);
            }
        }
    }

    // ---- raw device memory (cached by the backend's CachingAllocator) ----------------------

    @Override
    public CUdeviceptr allocateRaw(long bytes) {
        CUdeviceptr p = new CUdeviceptr();
        try {
            cuMemAlloc(p, bytes);
        } catch (CudaException e) {
            if (String.valueOf(e.getMessage()).contains("CUDA_ERROR_OUT_OF_MEMORY")) {
                return null;
            }
            throw new BackendException("cuda: cuMemAlloc of " + bytes + " bytes failed: " + e.getMessage(), e);
        }
        return p;
    }

    @Override
    public void freeRaw(CUdeviceptr p) {
        cuMemFree(p);
    }

    // ---- copies ------------------------------------------------------------------------------

    /** The staging buffer, at least {@code bytes} (at most STAGING_LIMIT) long, as floats in the machine's byte order. */
    private FloatBuffer staging(long bytes) {
        if (bytes > stagingBytes) {
            if (staging != null) {
                // every use of the old buffer ended with a stream synchronisation: no copy still reads it
                cuMemFreeHost(staging);
                staging = null;
                stagingBytes = 0;
            }
            long size = Math.min(STAGING_LIMIT, Math.max(STAGING_MIN, Long.highestOneBit(bytes - 1) << 1));
            Pointer p = new Pointer();
            try {
                cuMemHostAlloc(p, size, 0);
            } catch (CudaException e) {
                throw new BackendException("cuda: cuMemHostAlloc of a " + size + "-byte staging buffer failed: "
                        + e.getMessage(), e);
            }
            staging = p;
            stagingBytes = size;
        }
        ByteBuffer view = staging.getByteBuffer(0, bytes);
        if (view == null) {
            throw new BackendException("cuda: the JCuda binding gave no buffer view of the page-locked staging memory");
        }
        return view.order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private int chunkFloats() {
        return (int) (STAGING_LIMIT / Float.BYTES);
    }

    /**
     * Copies through the staging buffer, then waits for the stream before returning. The wait is
     * the simple correct choice: the staging buffer may be refilled (by the next upload) only once
     * the DMA has read it, and since the copy is queued behind all earlier work on our one
     * stream, waiting for that copy (by an event or otherwise) costs the same as waiting for the
     * stream. A synchronous cuMemcpyHtoD from pageable memory would wait just as long.
     */
    @Override
    public void copyToDevice(CUdeviceptr dst, float[] src) {
        for (long start = 0; start < src.length; start += chunkFloats()) { // long: no overflow near 2^31 floats
            int from = (int) start;
            int n = Math.min(chunkFloats(), src.length - from);
            long bytes = (long) n * Float.BYTES;
            staging(bytes).put(src, from, n);
            cuMemcpyHtoDAsync(dst.withByteOffset((long) from * Float.BYTES), staging, bytes, stream);
            synchronize("upload");
        }
    }

    @Override
    public void copyToHost(float[] dst, CUdeviceptr src, String what) {
        for (long start = 0; start < dst.length; start += chunkFloats()) { // long: no overflow near 2^31 floats
            int from = (int) start;
            int n = Math.min(chunkFloats(), dst.length - from);
            long bytes = (long) n * Float.BYTES;
            FloatBuffer buffer = staging(bytes);
            try {
                cuMemcpyDtoHAsync(staging, src.withByteOffset((long) from * Float.BYTES), bytes, stream);
                cuStreamSynchronize(stream);
            } catch (CudaException e) {
                throw asyncFailure(what, e);
            }
            buffer.get(dst, from, n);
        }
    }

    @Override
    public void copyOnDevice(CUdeviceptr dst, CUdeviceptr src, long floats) {
        cuMemcpyDtoDAsync(dst, src, floats * Float.BYTES, stream);
    }

    @Override
    public void fillWithZeros(CUdeviceptr p, long floats) {
        cuMemsetD32Async(p, 0, floats, stream);
    }

    /** Waits for the work queued on our stream; an asynchronous kernel error surfaces here. */
    @Override
    public void synchronize(String op) {
        try {
            cuStreamSynchronize(stream);
        } catch (CudaException e) {
            throw asyncFailure(op, e);
        }
    }

    /**
     * Two events recorded on the stream around {@code work}; after waiting for the second, the
     * driver's elapsed time between them (about half a microsecond of resolution). Created with
     * timing enabled and destroyed here, so nothing outlives the call.
     */
    @Override
    public OptionalDouble timeMillis(Runnable work) {
        CUevent start = new CUevent(), end = new CUevent();
        cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT);
        try {
            cuEventCreate(end, CUevent_flags.CU_EVENT_DEFAULT);
            try {
                cuEventRecord(start, stream);
                work.run();
                cuEventRecord(end, stream);
                try {
                    cuEventSynchronize(end);
                } catch (CudaException e) {
                    throw asyncFailure("timing work on the device", e);
                }
                float[] ms = new float[1];
                cuEventElapsedTime(ms, start, end);
                return OptionalDouble.of(ms[0]);
            } finally {
                cuEventDestroy(end);
            }
        } finally {
            cuEventDestroy(start);
        }
    }

    /** An error of an earlier, asynchronous launch, reported by a later call. */
    BackendException asyncFailure(String op, CudaException e) {
        return new BackendException("cuda: " + op + " failed: " + e.getMessage()
                + (debug ? "" : " (likely an earlier kernel; -D" + CudaBackend.DEBUG_PROPERTY
                + "=true names the kernel that failed)"), e);
    }

    private CUfunction function(String module, String kernel) {
        return functions.computeIfAbsent(module + ":" + kernel, key -> {
            CUmodule m = modules.get(module);
            if (m == null) {
                throw new BackendException("cuda: no kernel module '" + module + "' loaded; modules: " + modules.keySet());
            }
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, m, kernel);
            return f;
        });
    }

    /**
     * Frees the staging buffer, destroys the stream, unloads the modules and releases the
     * primary context; the device memory must have been freed already (the backend's allocator
     * does that first, after waiting for the stream). Each step runs even if an earlier one fails
     * (a context with a sticky kernel error fails them all); the first failure is thrown at the end.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        try {
            cuCtxSetCurrent(context);
        } catch (RuntimeException e) {
            failure = e;
        }
        if (staging != null) {
            failure = attempt(() -> cuMemFreeHost(staging), failure);
            staging = null;
        }
        failure = attempt(() -> cuStreamDestroy(stream), failure);
        for (CUmodule m : modules.values()) {
            failure = attempt(() -> cuModuleUnload(m), failure);
        }
        failure = attempt(() -> cuDevicePrimaryCtxRelease(device), failure);
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException attempt(Runnable step, RuntimeException failure) {
        try {
            step.run();
        } catch (RuntimeException e) {
            return failure != null ? failure : e;
        }
        return failure;
    }
}

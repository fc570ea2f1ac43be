package dev.tensorbackend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.tensorbackend.api.BackendException;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * Device 0's primary context (the one cuBLAS shares) with our PTX modules loaded, and the
 * one place kernels are launched. With {@code debug} every launch is followed by a
 * synchronisation, so an error is reported with the name of the kernel that caused it
 * instead of surfacing at some later call.
 */
final class CudaContext implements Device, AutoCloseable {
    private final CUdevice device;
    private final CUcontext context;
    private final Map<String, CUmodule> modules;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final DeviceMemory memory = new DeviceMemory();
    private final boolean debug;
    private boolean closed;

    private CudaContext(CUdevice device, CUcontext context, Map<String, CUmodule> modules, boolean debug) {
        this.device = device;
        this.context = context;
        this.modules = modules;
        this.debug = debug;
    }

    static CudaContext open(PtxResources ptx, boolean debug) {
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        CUdevice device = new CUdevice();
        cuDeviceGet(device, 0);
        CUcontext context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        Map<String, CUmodule> modules = new LinkedHashMap<>();
        try {
            cuCtxSetCurrent(context);
            for (String name : PtxResources.MODULES) {
                CUmodule module = new CUmodule();
                cuModuleLoadData(module, ptx.image(name));
                modules.put(name, module);
            }
        } catch (CudaException | IllegalStateException e) {
            modules.values().forEach(m -> cuModuleUnload(m));
            cuDevicePrimaryCtxRelease(device);
            throw e;
        }
        return new CudaContext(device, context, modules, debug);
    }

    /** Backends are not thread-safe, but the thread that uses one need not be the one that made it. */
    @Override
    public void makeCurrent() {
        cuCtxSetCurrent(context);
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
                    c.sharedBytes(), null, args.toKernelParams(), null);
        } catch (CudaException e) {
            throw new BackendException("cuda: launching kernel " + what + " failed: " + e.getMessage()
                    + (debug ? "" : " (it may be an earlier kernel's error; -D" + CudaBackend.DEBUG_PROPERTY
                    + "=true names the kernel that failed)"), e);
        }
        if (debug) {
            try {
                cuCtxSynchronize();
            } catch (CudaException e) {
                throw new BackendException("cuda: kernel " + what + " failed: " + e.getMessage(), e);
            }
        }
    }

    @Override
    public CUdeviceptr allocate(long floats, String forWhat) {
        return memory.allocateFloats(floats, forWhat);
    }

    @Override
    public void free(CUdeviceptr p) {
        memory.free(p);
    }

    @Override
    public void copyToDevice(CUdeviceptr dst, float[] src) {
        cuMemcpyHtoD(dst, Pointer.to(src), (long) src.length * Float.BYTES);
    }

    @Override
    public void copyToHost(float[] dst, CUdeviceptr src, String what) {
        try {
            cuMemcpyDtoH(Pointer.to(dst), src, (long) dst.length * Float.BYTES);
        } catch (CudaException e) {
            throw asyncFailure(what, e);
        }
    }

    @Override
    public void copyOnDevice(CUdeviceptr dst, CUdeviceptr src, long floats) {
        cuMemcpyDtoD(dst, src, floats * Float.BYTES);
    }

    @Override
    public void fillWithZeros(CUdeviceptr p, long floats) {
        cuMemsetD32(p, 0, floats);
    }

    @Override
    public int liveAllocations() {
        return memory.liveCount();
    }

    @Override
    public long liveBytes() {
        return memory.liveBytes();
    }

    /** Waits for queued work; an asynchronous kernel error surfaces here. */
    @Override
    public void synchronize(String op) {
        try {
            cuCtxSynchronize();
        } catch (CudaException e) {
            throw asyncFailure(op, e);
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
                throw new BackendException("cuda: no PTX module '" + module + "' loaded; modules: " + modules.keySet());
            }
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, m, kernel);
            return f;
        });
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            cuCtxSetCurrent(context);
            for (CUmodule m : modules.values()) {
                cuModuleUnload(m);
            }
        } finally {
            cuDevicePrimaryCtxRelease(device);
        }
    }
}

package dev.tensorbackend.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemGetInfo;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The mock driver (src/test/mock-driver) through JCuda, as the backend reaches it: misuse is
 * a CudaException naming the CUDA error, and the backend gives back every byte it takes.
 * Runs only in the build's mock-driver execution, where libcuda.so.1 is the mock; skipped
 * elsewhere (a real driver would crash or corrupt memory on some of these on purpose).
 */
class MockDriverTest {
    private CUdevice device;
    private CUcontext context;

    @BeforeEach
    void retainThePrimaryContext() {
        Path mock = GpuAssumptions.mockDriver();
        assumeTrue(mock != null, "runs in the mock-driver execution only (-D" + GpuAssumptions.MOCK_PROPERTY + ")");
        assumeTrue(Files.isRegularFile(mock), () -> "mock CUDA driver not built at " + mock);
        PtxResources ptx = PtxResources.load();
        assumeTrue(ptx.built(), () -> "kernels not built: " + ptx.notBuiltReason());
        JCudaDriver.setExceptionsEnabled(true);
        cuInit(0);
        device = new CUdevice();
        cuDeviceGet(device, 0);
        context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
    }

    @AfterEach
    void releaseIt() {
        if (device != null) {
            cuDevicePrimaryCtxRelease(device);
        }
    }

    private static void assertCudaError(String code, Executable call) {
        CudaException e = assertThrows(CudaException.class, call);
        assertTrue(String.valueOf(e.getMessage()).contains(code), "expected " + code + ", got " + e.getMessage());
    }

    private static long freeBytes() {
        long[] free = new long[1], total = new long[1];
        cuMemGetInfo(free, total);
        return free[0];
    }

    @Test
    void freeingAPointerThatWasNeverAllocatedIsAnError() {
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, 64);
        assertCudaError("CUDA_ERROR_INVALID_VALUE", () -> cuMemFree(p.withByteOffset(16)));
        cuMemFree(p);
        assertCudaError("CUDA_ERROR_INVALID_VALUE", () -> cuMemFree(p));
    }

    @Test
    void copiesPastAnAllocationAreErrors() {
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, 4 * Float.BYTES);
        try {
            float[] five = {1, 2, 3, 4, 5};
            assertCudaError("CUDA_ERROR_INVALID_VALUE", () -> cuMemcpyHtoD(p, Pointer.to(five), 5 * Float.BYTES));
            assertCudaError("CUDA_ERROR_INVALID_VALUE", () -> cuMemcpyDtoH(Pointer.to(five), p.withByteOffset(4), 4 * Float.BYTES));
            cuMemcpyHtoD(p, Pointer.to(five), 4 * Float.BYTES);
            float[] back = new float[4];
            cuMemcpyDtoH(Pointer.to(back), p, 4 * Float.BYTES);
            assertArrayEquals(new float[] {1, 2, 3, 4}, back);
        } finally {
            cuMemFree(p);
        }
    }

    @Test
    void unknownKernelsAreNotFoundAndBadLaunchesAreRefused() {
        CUmodule module = new CUmodule();
        cuModuleLoadData(module, PtxResources.load().image(ElementwiseLauncher.MODULE));
        try {
            assertCudaError("CUDA_ERROR_NOT_FOUND", () -> cuModuleGetFunction(new CUfunction(), module, "no_such_kernel"));
            assertCudaError("CUDA_ERROR_NOT_FOUND",
                    () -> cuModuleGetFunction(new CUfunction(), module, MatmulLauncher.TILED)); // another module's
            CUfunction relu = new CUfunction();
            cuModuleGetFunction(relu, module, ElementwiseLauncher.RELU_FORWARD);
            CUdeviceptr x = new CUdeviceptr(), y = new CUdeviceptr();
            cuMemAlloc(x, 8 * Float.BYTES);
            cuMemAlloc(y, 8 * Float.BYTES);
            try {
                Pointer ok = KernelArgs.create().pointer("x", x).pointer("y", y).intArg("n", 8).toKernelParams();
                assertCudaError("CUDA_ERROR_INVALID_VALUE",
                        () -> cuLaunchKernel(relu, 1, 1, 1, 2048, 1, 1, 0, null, ok, null));
                assertCudaError("CUDA_ERROR_INVALID_VALUE",
                        () -> cuLaunchKernel(relu, 1, 70_000, 1, 32, 1, 1, 0, null, ok, null));
                Pointer dangling = KernelArgs.create().pointer("x", x.withByteOffset(4096)).pointer("y", y)
                        .intArg("n", 8).toKernelParams();
                assertCudaError("CUDA_ERROR_ILLEGAL_ADDRESS",
                        () -> cuLaunchKernel(relu, 1, 1, 1, 32, 1, 1, 0, null, dangling, null));
                cuLaunchKernel(relu, 1, 1, 1, 32, 1, 1, 0, null, ok, null);
            } finally {
                cuMemFree(x);
                cuMemFree(y);
            }
        } finally {
            cuModuleUnload(module);
        }
    }

    @Test
    void aKernelThatWritesPastItsBufferIsCaughtAndNamedByTheBackend() {
        try (CudaContext cuda = CudaContext.open(PtxResources.load(), true)) {
            CUdeviceptr x = cuda.allocateRaw(8 * Float.BYTES), y = cuda.allocateRaw(8 * Float.BYTES);
            try {
                // n = 40 for buffers of 8 floats: relu writes 32 floats past y's end
                KernelArgs args = KernelArgs.create().pointer("x", x).pointer("y", y).intArg("n", 40);
                BackendException e = assertThrows(BackendException.class, () -> cuda.launch(ElementwiseLauncher.MODULE,
                        ElementwiseLauncher.RELU_FORWARD, LaunchConfig.linear(40, 32), args));
                assertTrue(e.getMessage().contains("elementwise.cu:relu_forward")
                        && e.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), e.getMessage());
            } finally {
                cuda.freeRaw(x);
                assertCudaError("CUDA_ERROR_ILLEGAL_ADDRESS", () -> cuda.freeRaw(y)); // the damage, reported again at free
            }
        }
    }

    @Test
    void theBackendGivesBackEveryByteItAllocates() {
        long before = freeBytes();
        try (CudaBackend cuda = GpuAssumptions.open("kernel")) {
            Tensor a = cuda.upload(Shape.of(300, 7), new float[2100]);
            Tensor s = cuda.sum(cuda.relu(a));
            assertEquals(0f, s.toArray()[0]);
            assertTrue(freeBytes() < before, "the tensors hold device memory");
        }
        // this test keeps the primary context alive, so nothing is freed behind the backend's back
        assertEquals(before, freeBytes(), "device bytes after the backend closed");
    }

    @Test
    void runningOutOfDeviceMemoryIsReportedByTheBackend() {
        long[] free = new long[1], total = new long[1];
        cuMemGetInfo(free, total);
        assertEquals(1L << 30, total[0], "MOCK_CUDA_MEMORY_LIMIT of the mock-driver execution");
        try (CudaBackend cuda = GpuAssumptions.open("kernel")) {
            BackendException e = assertThrows(BackendException.class, () -> cuda.zeros(Shape.of(1 << 28, 2)));
            assertTrue(e.getMessage().startsWith("cuda: out of device memory allocating 2147483648 bytes for zeros"),
                    e.getMessage());
            assertEquals(0, cuda.liveAllocations());
        }
    }

    @Test
    void streamsEventsPinnedMemoryAndAsyncCopiesWorkThroughJCuda() {
        CUstream stream = new CUstream();
        JCudaDriver.cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
        Pointer pinned = new Pointer();
        JCudaDriver.cuMemHostAlloc(pinned, 16, 0);
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, 16);
        CUevent start = new CUevent(), end = new CUevent();
        JCudaDriver.cuEventCreate(start, 0);
        JCudaDriver.cuEventCreate(end, 0);
        try {
            float[] in = {1, 2, 3, 4}, out = new float[4];
            JCudaDriver.cuEventRecord(start, stream);
            JCudaDriver.cuMemcpyHtoDAsync(p, Pointer.to(in), 16, stream);
            JCudaDriver.cuMemcpyDtoHAsync(pinned, p, 16, stream);
            JCudaDriver.cuMemsetD32Async(p, 0, 4, stream);
            JCudaDriver.cuEventRecord(end, stream);
            JCudaDriver.cuStreamSynchronize(stream);
            JCudaDriver.cuEventSynchronize(end);
            float[] ms = new float[1];
            JCudaDriver.cuEventElapsedTime(ms, start, end);
            assertTrue(ms[0] >= 0, "elapsed " + ms[0]);
            pinned.getByteBuffer(0, 16).order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().get(out);
            assertArrayEquals(in, out, "through pinned memory");
            cuMemcpyDtoH(Pointer.to(out), p, 16);
            assertArrayEquals(new float[4], out, "after the memset");
            assertCudaError("CUDA_ERROR_INVALID_VALUE", () -> JCudaDriver.cuMemcpyDtoHAsync(pinned.withByteOffset(4), p, 16, stream));
        } finally {
            JCudaDriver.cuEventDestroy(start);
            JCudaDriver.cuEventDestroy(end);
            cuMemFree(p);
            JCudaDriver.cuMemFreeHost(pinned);
            JCudaDriver.cuStreamDestroy(stream);
        }
        assertCudaError("CUDA_ERROR_INVALID_HANDLE", () -> JCudaDriver.cuStreamSynchronize(stream));
        assertCudaError("CUDA_ERROR_INVALID_VALUE", () -> JCudaDriver.cuMemFreeHost(pinned));
    }

    @Test
    void theDeviceReportsComputeCapability90AndACuda13Driver() {
        int[] major = new int[1], minor = new int[1], version = new int[1];
        JCudaDriver.cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        JCudaDriver.cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        JCudaDriver.cuDriverGetVersion(version);
        assertEquals(List.of(9, 0), List.of(major[0], minor[0]));
        assertTrue(version[0] >= 13000, "driver version " + version[0]); // or the newer nvcc's that built the PTX
        byte[] name = new byte[128];
        JCudaDriver.cuDeviceGetName(name, name.length, device);
        assertTrue(new String(name, java.nio.charset.StandardCharsets.US_ASCII).startsWith("Mock CUDA device"));
    }
}

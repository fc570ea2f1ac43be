// The mock driver against itself, without Java: what the backend relies on works, and each
// misuse the mock promises to catch is an error code, not a silent success or a crash.
// Exit status 0 when every check passes. Built and run by build.sh.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
typedef void *CUcontext, *CUmodule, *CUfunction, *CUstream, *CUevent;

extern "C" {
CUresult cuInit(unsigned);
CUresult cuDriverGetVersion(int*);
CUresult cuDeviceGet(int*, int);
CUresult cuDeviceGetCount(int*);
CUresult cuDeviceGetAttribute(int*, int, int);
CUresult cuDeviceGetName(char*, int, int);
CUresult cuDeviceTotalMem_v2(size_t*, int);
CUresult cuDevicePrimaryCtxRetain(CUcontext*, int);
CUresult cuDevicePrimaryCtxRelease_v2(int);
CUresult cuCtxSetCurrent(CUcontext);
CUresult cuCtxGetCurrent(CUcontext*);
CUresult cuCtxSynchronize();
CUresult cuMemAlloc_v2(CUdeviceptr*, size_t);
CUresult cuMemFree_v2(CUdeviceptr);
CUresult cuMemGetInfo_v2(size_t*, size_t*);
CUresult cuMemcpyHtoD_v2(CUdeviceptr, const void*, size_t);
CUresult cuMemcpyDtoH_v2(void*, CUdeviceptr, size_t);
CUresult cuMemcpyDtoD_v2(CUdeviceptr, CUdeviceptr, size_t);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr, const void*, size_t, CUstream);
CUresult cuMemcpyDtoHAsync_v2(void*, CUdeviceptr, size_t, CUstream);
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr, CUdeviceptr, size_t, CUstream);
CUresult cuMemsetD8_v2(CUdeviceptr, unsigned char, size_t);
CUresult cuMemsetD32_v2(CUdeviceptr, unsigned, size_t);
CUresult cuMemsetD32Async(CUdeviceptr, unsigned, size_t, CUstream);
CUresult cuMemHostAlloc(void**, size_t, unsigned);
CUresult cuMemFreeHost(void*);
CUresult cuStreamCreate(CUstream*, unsigned);
CUresult cuStreamDestroy_v2(CUstream);
CUresult cuStreamSynchronize(CUstream);
CUresult cuEventCreate(CUevent*, unsigned);
CUresult cuEventRecord(CUevent, CUstream);
CUresult cuEventSynchronize(CUevent);
CUresult cuEventElapsedTime(float*, CUevent, CUevent);
CUresult cuEventDestroy_v2(CUevent);
CUresult cuModuleLoadData(CUmodule*, const void*);
CUresult cuModuleLoadDataEx(CUmodule*, const void*, unsigned, int*, void**);
CUresult cuModuleLoadFatBinary(CUmodule*, const void*);
CUresult cuModuleUnload(CUmodule);
CUresult cuModuleGetFunction(CUfunction*, CUmodule, const char*);
CUresult cuLaunchKernel(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream,
                        void**, void**);
CUresult cuGetErrorName(CUresult, const char**);
CUresult cuGraphCreate(void*, unsigned);  // one of the stubs
}

static int failures = 0;

static void expect(const char* what, CUresult expected, CUresult actual) {
    if (expected != actual) {
        const char* e = nullptr;
        const char* a = nullptr;
        cuGetErrorName(expected, &e);
        cuGetErrorName(actual, &a);
        std::printf("FAIL %s: expected %d (%s), got %d (%s)\n", what, expected, e ? e : "?", actual, a ? a : "?");
        ++failures;
    } else {
        std::printf("ok:  %s\n", what);
    }
}

static void check(const char* what, bool ok) {
    std::printf(ok ? "ok:  %s\n" : "FAIL %s\n", what);
    failures += !ok;
}

// Just enough PTX for the mock: the ISA version, the target and the entries (as nvcc writes them).
static const char* ELEMENTWISE_PTX =
    "//\n.version 9.0\n.target sm_75\n.address_size 64\n"
    ".visible .entry relu_forward(\n.param .u64 a,\n.param .u64 b,\n.param .u32 n\n)\n{\n ret;\n}\n"
    ".visible .entry add_elements(\n.param .u64 a\n)\n.maxntid 64, 1, 1\n{\n ret;\n}\n";

int main() {
    CUdeviceptr p = 0;
    expect("cuMemAlloc before cuInit", 3, cuMemAlloc_v2(&p, 16));
    expect("cuInit", 0, cuInit(0));
    int version = 0, count = 0, device = -1, cc[2] = {0, 0};
    expect("cuDriverGetVersion", 0, cuDriverGetVersion(&version));
    check("driver version 13.0 or newer by default", version >= 13000);
    expect("cuDeviceGetCount", 0, cuDeviceGetCount(&count));
    check("one device", count == 1);
    expect("cuDeviceGet 0", 0, cuDeviceGet(&device, 0));
    expect("cuDeviceGet 1 is no device", 101, cuDeviceGet(&device, 1));
    expect("compute capability major", 0, cuDeviceGetAttribute(&cc[0], 75, 0));
    expect("compute capability minor", 0, cuDeviceGetAttribute(&cc[1], 76, 0));
    check("compute capability 9.0 by default", cc[0] == 9 && cc[1] == 0);
    char name[128];
    expect("cuDeviceGetName", 0, cuDeviceGetName(name, sizeof name, 0));
    size_t total = 0, free_bytes = 0;
    expect("cuDeviceTotalMem", 0, cuDeviceTotalMem_v2(&total, 0));

    expect("cuMemAlloc without a current context", 201, cuMemAlloc_v2(&p, 16));
    CUcontext ctx = nullptr, cur = nullptr;
    expect("cuDevicePrimaryCtxRetain", 0, cuDevicePrimaryCtxRetain(&ctx, 0));
    expect("cuCtxSetCurrent", 0, cuCtxSetCurrent(ctx));
    expect("cuCtxGetCurrent", 0, cuCtxGetCurrent(&cur));
    check("the current context is the primary one", cur == ctx);

    // ---- memory
    std::vector<float> host(10), back(10, -1.f);
    for (int i = 0; i < 10; ++i) host[i] = (float)i;
    CUdeviceptr a = 0, b = 0;
    expect("cuMemAlloc 40 bytes", 0, cuMemAlloc_v2(&a, 40));
    check("256-byte aligned like the driver's", a % 256 == 0);
    expect("cuMemAlloc 0 bytes", 1, cuMemAlloc_v2(&b, 0));
    expect("cuMemAlloc 40 more", 0, cuMemAlloc_v2(&b, 40));
    expect("cuMemGetInfo", 0, cuMemGetInfo_v2(&free_bytes, &total));
    check("free = total - 80 live bytes", free_bytes == total - 80);
    expect("cuMemcpyHtoD", 0, cuMemcpyHtoD_v2(a, host.data(), 40));
    expect("cuMemcpyDtoD", 0, cuMemcpyDtoD_v2(b, a, 40));
    expect("cuMemcpyDtoH", 0, cuMemcpyDtoH_v2(back.data(), b, 40));
    check("the bytes made the round trip", back == host);
    expect("cuMemcpyHtoD past the end", 1, cuMemcpyHtoD_v2(a, host.data(), 44));
    expect("cuMemcpyHtoD into the middle, past the end", 1, cuMemcpyHtoD_v2(a + 8, host.data(), 36));
    expect("cuMemcpyHtoD into the middle, up to the end", 0, cuMemcpyHtoD_v2(a + 8, host.data(), 32));
    expect("cuMemcpyDtoH past the end", 1, cuMemcpyDtoH_v2(back.data(), a + 4, 40));
    expect("cuMemcpyDtoD past the end", 1, cuMemcpyDtoD_v2(b, a, 41));
    expect("cuMemcpyDtoH from no allocation", 1, cuMemcpyDtoH_v2(back.data(), 0x1234, 4));
    expect("cuMemsetD32 past the end", 1, cuMemsetD32_v2(a, 0, 11));
    expect("cuMemsetD32 misaligned", 1, cuMemsetD32_v2(a + 2, 0, 1));
    expect("cuMemsetD32", 0, cuMemsetD32_v2(a, 0x3f800000u, 10));
    expect("cuMemsetD8", 0, cuMemsetD8_v2(b, 0, 40));
    expect("cuMemFree", 0, cuMemFree_v2(b));
    expect("cuMemFree twice", 1, cuMemFree_v2(b));
    expect("cuMemFree of an unknown pointer", 1, cuMemFree_v2(0xdead000));
    expect("cuMemFree of an interior pointer", 1, cuMemFree_v2(a + 4));
    expect("cuMemcpyDtoH from a freed allocation", 1, cuMemcpyDtoH_v2(back.data(), b, 4));

    // ---- the memory limit (MOCK_CUDA_MEMORY_LIMIT; 16 GiB by default)
    CUdeviceptr huge = 0;
    expect("cuMemAlloc beyond the limit", 2, cuMemAlloc_v2(&huge, total + 1));

    // ---- pinned host memory, a stream, async copies, events
    void* pinned = nullptr;
    CUstream s = nullptr;
    CUevent e0 = nullptr, e1 = nullptr;
    float ms = -1;
    expect("cuMemHostAlloc", 0, cuMemHostAlloc(&pinned, 40, 0));
    expect("cuStreamCreate non-blocking", 0, cuStreamCreate(&s, 1));
    expect("cuEventCreate", 0, cuEventCreate(&e0, 0));
    expect("cuEventCreate", 0, cuEventCreate(&e1, 0));
    expect("cuEventRecord", 0, cuEventRecord(e0, s));
    expect("cuMemcpyHtoDAsync", 0, cuMemcpyHtoDAsync_v2(a, host.data(), 40, s));
    expect("cuMemcpyDtoHAsync into pinned memory", 0, cuMemcpyDtoHAsync_v2(pinned, a, 40, s));
    expect("cuMemcpyDtoHAsync past the pinned buffer", 1, cuMemcpyDtoHAsync_v2((char*)pinned + 8, a, 40, s));
    expect("cuMemcpyDtoDAsync", 0, cuMemcpyDtoDAsync_v2(a, a, 40, s));
    expect("cuMemsetD32Async", 0, cuMemsetD32Async(a, 0, 10, s));
    expect("cuMemcpyHtoDAsync on a bogus stream", 400, cuMemcpyHtoDAsync_v2(a, host.data(), 4, (CUstream)0x42));
    expect("cuEventRecord", 0, cuEventRecord(e1, s));
    expect("cuStreamSynchronize", 0, cuStreamSynchronize(s));
    expect("cuEventSynchronize", 0, cuEventSynchronize(e1));
    expect("cuEventElapsedTime", 0, cuEventElapsedTime(&ms, e0, e1));
    check("elapsed time >= 0", ms >= 0);
    check("the pinned buffer got the bytes", std::memcmp(pinned, host.data(), 40) == 0);
    expect("cuEventDestroy", 0, cuEventDestroy_v2(e0));
    expect("cuEventDestroy twice", 400, cuEventDestroy_v2(e0));
    expect("cuEventDestroy", 0, cuEventDestroy_v2(e1));
    expect("cuStreamDestroy", 0, cuStreamDestroy_v2(s));
    expect("cuStreamSynchronize of a destroyed stream", 400, cuStreamSynchronize(s));
    expect("cuMemFreeHost", 0, cuMemFreeHost(pinned));
    expect("cuMemFreeHost twice", 1, cuMemFreeHost(pinned));

    // ---- modules and launches
    CUmodule m = nullptr;
    CUfunction relu = nullptr, f = nullptr;
    expect("cuModuleLoadData of garbage", 200, cuModuleLoadData(&m, "not a module"));
    std::string newer = ELEMENTWISE_PTX;
    newer.replace(newer.find("9.0"), 3, "9.9");
    expect("cuModuleLoadData of PTX newer than the driver", 222, cuModuleLoadData(&m, newer.c_str()));
    expect("cuModuleLoadDataEx", 0, cuModuleLoadDataEx(&m, ELEMENTWISE_PTX, 0, nullptr, nullptr));
    expect("cuModuleUnload", 0, cuModuleUnload(m));
    expect("cuModuleLoadData", 0, cuModuleLoadData(&m, ELEMENTWISE_PTX));
    expect("cuModuleGetFunction relu_forward", 0, cuModuleGetFunction(&relu, m, "relu_forward"));
    expect("cuModuleGetFunction of an unknown kernel", 500, cuModuleGetFunction(&f, m, "no_such_kernel"));
    expect("cuModuleGetFunction of a kernel another module holds", 500, cuModuleGetFunction(&f, m, "matmul_tile128"));
    // a fatbin whose names are readable: header 16 bytes, payload naming the kernel
    std::vector<unsigned char> fatbin(16 + 64, 0);
    const unsigned magic = 0xBA55ED50u;
    const unsigned short fbVersion = 1, header = 16;
    const unsigned long long payload = 64;
    std::memcpy(&fatbin[0], &magic, 4);
    std::memcpy(&fatbin[4], &fbVersion, 2);
    std::memcpy(&fatbin[6], &header, 2);
    std::memcpy(&fatbin[8], &payload, 8);
    std::memcpy(&fatbin[20], "sum_blocks", 10);
    CUmodule fm = nullptr;
    expect("cuModuleLoadFatBinary", 0, cuModuleLoadFatBinary(&fm, fatbin.data()));
    expect("cuModuleGetFunction in the fatbin", 0, cuModuleGetFunction(&f, fm, "sum_blocks"));
    expect("cuModuleGetFunction not in the fatbin", 500, cuModuleGetFunction(&f, fm, "axpy"));
    expect("cuModuleUnload of the fatbin", 0, cuModuleUnload(fm));

    CUdeviceptr x = 0, y = 0;
    int n = 10;
    const float in[10] = {1, -2, 3, -4, 5, -6, 7, -8, 9, NAN};
    float out[10];
    expect("cuMemAlloc x", 0, cuMemAlloc_v2(&x, 40));
    expect("cuMemAlloc y", 0, cuMemAlloc_v2(&y, 40));
    expect("cuMemcpyHtoD x", 0, cuMemcpyHtoD_v2(x, in, 40));
    void* params[] = {&x, &y, &n};
    expect("cuLaunchKernel relu_forward", 0, cuLaunchKernel(relu, 1, 1, 1, 64, 1, 1, 0, nullptr, params, nullptr));
    expect("cuCtxSynchronize", 0, cuCtxSynchronize());
    expect("cuMemcpyDtoH y", 0, cuMemcpyDtoH_v2(out, y, 40));
    check("relu ran on the CPU", out[0] == 1 && out[1] == 0 && out[8] == 9 && std::isnan(out[9]));
    expect("block of 2048 threads", 1, cuLaunchKernel(relu, 1, 1, 1, 2048, 1, 1, 0, nullptr, params, nullptr));
    expect("block of 1024 x 2 threads", 1, cuLaunchKernel(relu, 1, 1, 1, 1024, 2, 1, 0, nullptr, params, nullptr));
    expect("grid y of 65536", 1, cuLaunchKernel(relu, 1, 65536, 1, 32, 1, 1, 0, nullptr, params, nullptr));
    expect("an empty grid", 1, cuLaunchKernel(relu, 0, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr));
    expect("too much dynamic shared memory", 1, cuLaunchKernel(relu, 1, 1, 1, 32, 1, 1, 64 * 1024, nullptr, params, nullptr));
    expect("arguments through extra", 801, cuLaunchKernel(relu, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, params));
    expect("no kernelParams", 1, cuLaunchKernel(relu, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr));
    CUfunction add = nullptr;
    expect("cuModuleGetFunction add_elements", 0, cuModuleGetFunction(&add, m, "add_elements"));
    void* addParams[] = {&x, &x, &y, &n};
    expect("more threads than the kernel's .maxntid", 701, cuLaunchKernel(add, 1, 1, 1, 128, 1, 1, 0, nullptr, addParams, nullptr));
    expect("within .maxntid", 0, cuLaunchKernel(add, 1, 1, 1, 64, 1, 1, 0, nullptr, addParams, nullptr));
    CUdeviceptr bogus = 0x1000;
    void* badPointer[] = {&bogus, &y, &n};
    expect("a pointer argument into no allocation", 700, cuLaunchKernel(relu, 1, 1, 1, 32, 1, 1, 0, nullptr, badPointer, nullptr));
    int tooMany = 64;  // y holds 10 floats: relu writes 54 past its end, into the canary bytes
    void* overrun[] = {&x, &y, &tooMany};
    expect("a kernel writing past its buffer", 700, cuLaunchKernel(relu, 1, 1, 1, 64, 1, 1, 0, nullptr, overrun, nullptr));
    expect("cuMemFree x", 0, cuMemFree_v2(x));
    void* freed[] = {&x, &y, &n};
    expect("a launch reading a freed buffer", 700, cuLaunchKernel(relu, 1, 1, 1, 32, 1, 1, 0, nullptr, freed, nullptr));
    expect("cuMemFree of the overrun buffer reports it", 700, cuMemFree_v2(y));
    expect("cuModuleUnload", 0, cuModuleUnload(m));
    expect("cuModuleUnload twice", 400, cuModuleUnload(m));
    expect("launching a function of an unloaded module", 400, cuLaunchKernel(relu, 1, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr));

    expect("a stub answers CUDA_ERROR_NOT_SUPPORTED", 801, cuGraphCreate(nullptr, 0));
    expect("cuMemFree", 0, cuMemFree_v2(a));
    expect("cuDevicePrimaryCtxRelease", 0, cuDevicePrimaryCtxRelease_v2(0));
    expect("cuMemAlloc in a released context", 201, cuMemAlloc_v2(&p, 16));
    expect("cuDevicePrimaryCtxRelease once too often", 201, cuDevicePrimaryCtxRelease_v2(0));

    std::printf(failures ? "%d checks FAILED\n" : "all checks passed\n", failures);
    return failures ? 1 : 0;
}

package dev.tensorbackend.cuda;

/**
 * The driver calls the availability check makes, behind an interface so that every reason
 * the provider can give is tested without a GPU. Failures arrive as {@link jcuda.CudaException}
 * (JCuda exceptions are on) or, for a missing driver library, as {@link LinkageError}.
 */
interface DriverAccess {
    /** Loads JCuda's native driver binding, which needs libcuda.so.1. */
    void loadNatives();

    /** cuInit, then the number of devices. */
    int deviceCount();

    /** cuDriverGetVersion: 1000 * major + 10 * minor of the newest CUDA the driver supports. */
    int driverVersion();

    /** cuDeviceGetAttribute on device 0: 10 * major + minor of its compute capability (90 for 9.0). */
    int computeCapability();

    /** Creates the context on device 0, loads every module, allocates a little, and undoes it all. */
    void tryKernels(PtxResources ptx);
}

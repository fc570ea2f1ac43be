package dev.tensorbackend.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import jcuda.driver.JCudaDriver;

/** {@link DriverAccess} through JCuda. */
final class JCudaDriverAccess implements DriverAccess {

    @Override
    public void loadNatives() {
        // the first use of JCudaDriver loads its native library, which links libcuda.so.1
        JCudaDriver.setExceptionsEnabled(true);
    }

    @Override
    public int deviceCount() {
        cuInit(0);
        int[] count = new int[1];
        cuDeviceGetCount(count);
        return count[0];
    }

    @Override
    public int driverVersion() {
        int[] version = new int[1];
        cuDriverGetVersion(version);
        return version[0];
    }

    @Override
    public void tryKernels(PtxResources ptx) {
        try (CudaContext context = CudaContext.open(ptx, false)) {
            context.probeAllocation();
        }
    }
}

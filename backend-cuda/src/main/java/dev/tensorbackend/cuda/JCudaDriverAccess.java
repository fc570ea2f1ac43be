package dev.tensorbackend.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
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
    public int computeCapability() {
        CUdevice device = new CUdevice();
        cuDeviceGet(device, 0);
        int[] major = new int[1];
        int[] minor = new int[1];
        cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device);
        cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device);
        return 10 * major[0] + minor[0];
    }

    @Override
    public void tryKernels(PtxResources ptx) {
        try (CudaContext context = CudaContext.open(ptx, false)) {
            context.probeAllocation();
        }
    }
}

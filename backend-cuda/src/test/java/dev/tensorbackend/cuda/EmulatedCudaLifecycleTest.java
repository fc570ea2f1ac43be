package dev.tensorbackend.cuda;

/** Memory and repeatability of CudaBackend on the emulated device (our kernels run on the CPU). */
class EmulatedCudaLifecycleTest extends CudaLifecycleChecks {
    @Override
    protected CudaBackend newCudaBackend() {
        return CudaBackend.on(EmulatedDevice.start(EmulatedDevice.assumeServer()));
    }
}

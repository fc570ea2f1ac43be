package dev.tensorbackend.cuda;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendContractTest;

/**
 * The contract suite on CudaBackend, its launchers and our kernels, with the kernels executed
 * on the CPU by the emulated device: everything but the GPU itself and the JCuda calls.
 */
class EmulatedCudaContractTest extends BackendContractTest {
    @Override
    protected Backend newBackend() {
        return CudaBackend.on(EmulatedDevice.start(EmulatedDevice.assumeServer()));
    }
}

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

    @Override
    protected Backend newReferenceBackend() {
        return new dev.tensorbackend.cpu.ReferenceBackend();
    }

    /** Every call crosses a pipe to the kernel server: fewer calls keep this test to seconds. */
    @Override
    protected int fuzzCalls() {
        return 150;
    }
}

package dev.tensorbackend.cuda;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendContractTest;

/** The CUDA backend against the contract every backend meets; skipped with the reason where CUDA is unusable. */
class CudaContractTest extends BackendContractTest {
    @Override
    protected Backend newBackend() {
        return GpuAssumptions.open(System.getProperty(CudaBackend.MATMUL_PROPERTY, "kernel"));
    }

    @Override
    protected Backend newReferenceBackend() {
        return new dev.tensorbackend.cpu.ReferenceBackend();
    }
}

package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendContractTest;

/** The CPU backend against the contract every backend meets. */
class CpuContractTest extends BackendContractTest {
    @Override
    protected Backend newBackend() {
        return new CpuBackend();
    }

    @Override
    protected Backend newReferenceBackend() {
        return new ReferenceBackend();
    }
}

package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendContractTest;

/** The reference backend (the plain loops) against the contract every backend meets. */
class ReferenceContractTest extends BackendContractTest {
    @Override
    protected Backend newBackend() {
        return new ReferenceBackend();
    }

    @Override
    protected Backend newReferenceBackend() {
        return new ReferenceBackend();
    }
}

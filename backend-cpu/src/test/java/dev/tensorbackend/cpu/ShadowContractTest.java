package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendContractTest;
import dev.tensorbackend.api.ShadowBackend;

/**
 * The CPU backend shadowed by the reference backend meets the whole contract: shadowing
 * changes no result, no error and no lifecycle rule, and the CPU's fast paths stay within the
 * cross-check's tolerances of the plain loops on every case of the suite.
 */
class ShadowContractTest extends BackendContractTest {
    @Override
    protected Backend newBackend() {
        return new ShadowBackend(new CpuBackend(), new ReferenceBackend());
    }

    @Override
    protected Backend newReferenceBackend() {
        return new ReferenceBackend();
    }
}

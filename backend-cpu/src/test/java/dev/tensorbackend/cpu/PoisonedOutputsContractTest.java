package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.BackendContractTest;
import java.util.Arrays;

/**
 * The contract again, with every array an op asks for uninitialized filled with NaN first:
 * a recycled array holds another tensor's old values, so an op that leaves any element of
 * its result unwritten would pass those off as its own. Here they would show as NaN.
 */
class PoisonedOutputsContractTest extends BackendContractTest {
    @Override
    protected Backend newBackend() {
        CpuPool pool = CpuPool.shared();
        ArrayCache poisoning = new ArrayCache(ArrayCache.defaultCapBytes(), pool) {
            @Override
            public float[] uninitialized(int length) {
                float[] a = super.uninitialized(length);
                Arrays.fill(a, Float.NaN);
                return a;
            }
        };
        return new CpuBackend(FastKernelSelection.kernels(), pool, Scratch.DEFAULT_CAP_FLOATS, poisoning);
    }

    @Override
    protected Backend newReferenceBackend() {
        return new ReferenceBackend();
    }
}

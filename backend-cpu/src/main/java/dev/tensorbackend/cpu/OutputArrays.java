package dev.tensorbackend.cpu;

/**
 * Where the CPU kernels get the arrays their results go into. {@link #NEW} allocates each one
 * (what the tests of single kernels use); the backend's {@link ArrayCache} hands out the arrays
 * of closed tensors again, which saves the allocation, the zeroing and the page faults of fresh
 * memory on every op.
 */
interface OutputArrays {
    /** An array of {@code length} zeros: for results that are accumulated into. */
    float[] zeroed(int length);

    /**
     * An array of {@code length} whose contents are unspecified (a recycled one holds another
     * tensor's old values): only for results whose every element the caller then writes.
     */
    float[] uninitialized(int length);

    /** A new array every time. */
    OutputArrays NEW = new OutputArrays() {
        @Override
        public float[] zeroed(int length) {
            return new float[length];
        }

        @Override
        public float[] uninitialized(int length) {
            return new float[length];
        }
    };
}

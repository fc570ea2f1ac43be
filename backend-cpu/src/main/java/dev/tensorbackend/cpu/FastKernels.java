package dev.tensorbackend.cpu;

/**
 * The innermost loops of the fast CPU paths, in the one place where SIMD matters. Two
 * implementations: {@link VectorKernels} on the JDK Vector API and {@link ScalarKernels} for
 * JVMs without {@code jdk.incubator.vector}; {@link FastKernelSelection} picks one. The
 * drivers around them ({@link Gemm}, {@link FastConv}, {@link FastOps}) own blocking and
 * threading, so both implementations share every index computation above this level.
 *
 * <p>Ranges are {@code [from, to)} so that a driver can split one op across threads.
 */
interface FastKernels {
    /** A short name for messages and tests: "vector" or "scalar". */
    String name();

    /** One line for reports: the name, the vector width where there is one, and the micro-tile. */
    default String describe() {
        return name() + ", " + mr() + "x" + nr() + " micro-tile";
    }

    /** Rows of the GEMM micro-tile: packed A slivers hold {@code mr()} rows. */
    int mr();

    /** Columns of the GEMM micro-tile: packed B slivers hold {@code nr()} columns. */
    int nr();

    /**
     * {@code C[mr x nr] += A * B} for one micro-tile: {@code a} holds {@code kc} groups of
     * {@code mr()} values (one column of the A sliver each); row p of the B sliver is the
     * {@code nr()} floats at {@code b[bOff + bRows[p]]} (packed rows, or rows read in place,
     * see {@link BPanel}). C rows are {@code ldc} apart. With {@code overwrite}, {@code C = A * B}
     * instead: the tile's old contents are neither read nor kept (a GEMM's first K block, which
     * saves zeroing C first). The sums are the same bits either way: they start from +0.
     */
    void microKernel(int kc, float[] a, int aOff, float[] b, int bOff, int[] bRows, float[] c, int cOff, int ldc,
                     boolean overwrite);

    /**
     * As {@link #microKernel}, with A read in place through two offset tables instead of packed:
     * {@code A(i, q) = a[aRows[rowsOff + i] + aCols[firstCol + q]]} (the filter gradient's patch
     * matrix, rows filter taps in a bordered image and columns output positions; or a stored
     * matrix too narrow a product to repay packing it), and row q of B the {@code nr()} floats at
     * {@code b[bOff + q * nr()]} (packed). Same operations in the same order as the packed
     * kernel, so the same bits.
     */
    void gatherMicroKernel(int kc, float[] a, int[] aRows, int rowsOff, int[] aCols, int firstCol,
                           float[] b, int bOff, float[] c, int cOff, int ldc, boolean overwrite);

    /** Rows of the {@link #wideGatherMicroKernel} tile, or 0 where there is no such kernel. */
    default int wideMr() {
        return 0;
    }

    /**
     * {@code C = A * B} for a tile of {@link #wideMr()} rows and {@code 2 * nr()} columns, A read
     * as in {@link #gatherMicroKernel}, row q of B the {@code 2 * nr()} floats at
     * {@code b[bOff + q * 2 * nr()]} (a sliver packed twice as wide, or a row-major B of exactly
     * that many columns read in place). It only stores: a later K block's tile goes to scratch
     * and the caller adds it onto C, the same additions as adding in the kernel, so the same
     * bits. Fewer rows than the narrow tile, so fewer row offsets live in its loop: with 8 of
     * them, the bounds checks and pointers, C2 runs short of general registers and, in some JVM
     * launches and not others, parks loop values in vector registers, costing 15-20% for the
     * whole launch (a B row stride passed in as a value, one register more, brought that back:
     * 191-200 instead of 207-209 GFLOP/s in 3 of 5 launches). Why it does not add onto C: with
     * both the store and the add epilogue (24 vectors each) its vector operations exceed what
     * C2 inlines into one method, and the ones left out run as boxed Java code (measured: the
     * large training step took 455 instead of 96 ms).
     */
    default void wideGatherMicroKernel(int kc, float[] a, int[] aRows, int rowsOff, int[] aCols, int firstCol,
                                       float[] b, int bOff, float[] c, int cOff, int ldc) {
        throw new UnsupportedOperationException(name() + " kernels have no wide gathered tile");
    }

    /** Whether {@link #filterGradient3x3} takes output rows of {@code outW} positions; by default (the scalar kernels) never. */
    default boolean filterGradient3x3Fits(int outW) {
        return false;
    }

    /**
     * One tile of a 3 x 3, stride-1 filter gradient, both operands read in place: for the
     * three output channels whose gradient rows start at {@code d0, d1, d2} in {@code dOut}
     * (rows of {@code outH * outW} positions) and the nine taps of the channel whose zero-bordered
     * plane starts at {@code base} in {@code padded} (rows {@code wp} apart),
     * {@code sums[i * 9 + 3 * r + s] = sum over oh < outH, ow < outW of
     * dOut[d_i + oh * outW + ow] * padded[base + (oh + r) * wp + ow + s]}, for an {@code outW}
     * that {@link #filterGradient3x3Fits}. {@code lanes} is scratch of at least 27 * 16 floats.
     * The order of the additions depends only on the shape.
     */
    default void filterGradient3x3(float[] dOut, int d0, int d1, int d2, int outH, int outW, float[] padded, int base,
                                   int wp, float[] sums, float[] lanes) {
        throw new UnsupportedOperationException(name() + " kernels have no 3x3 filter-gradient tile");
    }

    /** out[o+i] = a[a0+i] + b[b0+i] for i in [0, len). */
    void add(float[] a, int a0, float[] b, int b0, float[] out, int o, int len);

    void mul(float[] a, float[] b, float[] out, int from, int to);

    void scale(float alpha, float[] x, float[] out, int from, int to);

    /** y += alpha * x. */
    void axpy(float alpha, float[] x, float[] y, int from, int to);

    /** out[o+i] = x[x0+i] + value for i in [0, len). */
    void addScalar(float[] x, int x0, float value, float[] out, int o, int len);

    /** max(x, 0), NaN kept, -0 becomes +0 (as {@link ReferenceKernels#relu}). */
    void relu(float[] x, float[] out, int from, int to);

    /** dy where x > 0, NaN where x is NaN, else 0 (as {@link ReferenceKernels#reluBackward}). */
    void reluBackward(float[] x, float[] dy, float[] out, int from, int to);

    /** The sum of x[from..to) in float, in an order that depends only on the range. */
    float sum(float[] x, int from, int to);

    /** Softmax of {@code rows} consecutive rows of {@code cols} values, the first at {@code off}. */
    void softmaxRows(float[] x, float[] y, int off, int rows, int cols);

    /** Softmax backward of {@code rows} consecutive rows: dx = y * (dy - dot(dy, y)), row by row. */
    void softmaxBackwardRows(float[] y, float[] dy, float[] dx, int off, int rows, int cols);
}

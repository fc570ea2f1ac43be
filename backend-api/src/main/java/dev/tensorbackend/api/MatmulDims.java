package dev.tensorbackend.api;

import java.util.function.Supplier;

/**
 * The geometry of {@code C = op(A) op(B)}, computed and checked once for every backend.
 *
 * <p>op(A) is {@code m x k} and op(B) is {@code k x n}. A transposed operand is stored as
 * its transpose: A with {@code transA} is stored {@code k x m}. Either operand may carry a
 * leading batch dimension; a rank-2 operand is shared by every batch entry (its
 * {@code batchStride} is 0). The result is {@code [batch, m, n]} when either operand is
 * batched, else {@code [m, n]}.
 */
public record MatmulDims(int batch, int m, int n, int k, boolean transA, boolean transB,
                         int aBatchStride, int bBatchStride, Shape outShape) {

    public static MatmulDims of(Shape a, boolean transA, Shape b, boolean transB) {
        // the call as the errors name it, made only for an error: this runs on every matmul
        Supplier<String> what = () -> "matmul(a" + a + (transA ? "^T" : "") + ", b" + b + (transB ? "^T" : "") + ")";
        if (a.rank() < 2 || a.rank() > 3 || b.rank() < 2 || b.rank() > 3) {
            throw new BackendException(what.get() + ": operands must have rank 2 or 3 (optional leading batch)");
        }
        int aRows = a.dim(-2), aCols = a.dim(-1);
        int bRows = b.dim(-2), bCols = b.dim(-1);
        int m = transA ? aCols : aRows;
        int kA = transA ? aRows : aCols;
        int kB = transB ? bCols : bRows;
        int n = transB ? bRows : bCols;
        if (kA != kB) {
            throw new BackendException(what.get() + ": inner dimensions differ (" + kA + " vs " + kB + ")");
        }
        boolean aBatched = a.rank() == 3, bBatched = b.rank() == 3;
        if (aBatched && bBatched && a.dim(0) != b.dim(0)) {
            throw new BackendException(what.get() + ": batch sizes differ (" + a.dim(0) + " vs " + b.dim(0) + ")");
        }
        int batch = aBatched ? a.dim(0) : bBatched ? b.dim(0) : 1;
        Sizes.elements(() -> what.get() + ": the result [" + batch + ", " + m + ", " + n + "]", batch, m, n);
        Shape out = aBatched || bBatched ? Shape.of(batch, m, n) : Shape.of(m, n);
        return new MatmulDims(batch, m, n, kA, transA, transB,
                aBatched ? m * kA : 0, bBatched ? kA * n : 0, out);
    }

    /** Multiply-adds times two. */
    public double flops() {
        return 2.0 * batch * m * n * k;
    }
}

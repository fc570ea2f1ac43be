package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tolerance;
import dev.tensorbackend.cpu.CpuBackend;
import jcuda.jcublas.cublasOperation;
import org.junit.jupiter.api.Test;

/**
 * The row-major-through-column-major argument swap of the cuBLAS path, checked without cuBLAS:
 * the arguments it computes are fed to a plain-Java column-major strided-batched SGEMM that
 * follows cuBLAS's documented semantics, and the result must equal the CPU backend's matmul.
 */
class CublasArgumentsTest {

    /** C = op(X) op(Y), column-major, per batch entry, as cublasSgemmStridedBatched defines it. */
    private static float[] columnMajorGemm(CublasMatmul.Gemm g, float[] first, float[] second) {
        float[] c = new float[(int) (g.strideC() * g.batch())];
        for (int b = 0; b < g.batch(); b++) {
            long x0 = b * g.strideFirst(), y0 = b * g.strideSecond(), c0 = b * g.strideC();
            for (int i = 0; i < g.m(); i++) {
                for (int j = 0; j < g.n(); j++) {
                    double acc = 0;
                    for (int p = 0; p < g.k(); p++) {
                        float x = g.opFirst() == cublasOperation.CUBLAS_OP_N
                                ? first[(int) (x0 + i + (long) p * g.ldFirst())] : first[(int) (x0 + p + (long) i * g.ldFirst())];
                        float y = g.opSecond() == cublasOperation.CUBLAS_OP_N
                                ? second[(int) (y0 + p + (long) j * g.ldSecond())] : second[(int) (y0 + j + (long) p * g.ldSecond())];
                        acc += (double) x * y;
                    }
                    c[(int) (c0 + i + (long) j * g.ldc())] = (float) acc;
                }
            }
        }
        return c;
    }

    private static float[] random(Random rnd, Shape s) {
        float[] v = new float[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat() * 2 - 1;
        }
        return v;
    }

    @Test
    void swappedOperandsGiveTheRowMajorProduct() {
        Random rnd = new Random(7);
        int[][] shapes = {{1, 1, 1}, {7, 5, 3}, {3, 1, 9}, {33, 17, 65}};
        try (Backend cpu = new CpuBackend()) {
            for (int[] s : shapes) {
                int m = s[0], k = s[1], n = s[2];
                for (int flags = 0; flags < 4; flags++) {
                    for (int batching = 0; batching < 4; batching++) { // none, both, a shared, b shared
                        boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
                        boolean aBatched = batching == 1 || batching == 3, bBatched = batching == 1 || batching == 2;
                        Shape a = ta ? Shape.of(k, m) : Shape.of(m, k), b = tb ? Shape.of(n, k) : Shape.of(k, n);
                        if (aBatched) {
                            a = Shape.of(3, a.dim(0), a.dim(1));
                        }
                        if (bBatched) {
                            b = Shape.of(3, b.dim(0), b.dim(1));
                        }
                        float[] av = random(rnd, a), bv = random(rnd, b);
                        MatmulDims d = MatmulDims.of(a, ta, b, tb);
                        float[] expected = cpu.download(cpu.matmul(cpu.upload(a, av), ta, cpu.upload(b, bv), tb));
                        // cuBLAS's first operand is B, its second A (C^T = op(B)^T op(A)^T)
                        float[] actual = columnMajorGemm(CublasMatmul.gemm(d), bv, av);
                        Tolerance.Comparison c = new Tolerance(1e-6, 1e-6).compare(expected, actual);
                        assertTrue(c.passed(), d + ": " + c);
                    }
                }
            }
        }
    }

    @Test
    void leadingDimensionsAreTheStoredRowLengths() {
        CublasMatmul.Gemm g = CublasMatmul.gemm(MatmulDims.of(Shape.of(5, 7), true, Shape.of(3, 4, 5), true));
        // A stored 5 x 7 (k x m), B stored 3 x [4 x 5] (n x k)
        assertEquals(cublasOperation.CUBLAS_OP_T, g.opFirst());
        assertEquals(cublasOperation.CUBLAS_OP_T, g.opSecond());
        assertEquals(4, g.m()); // cuBLAS's m is our n
        assertEquals(7, g.n()); // and its n our m
        assertEquals(5, g.k());
        assertEquals(5, g.ldFirst());
        assertEquals(7, g.ldSecond());
        assertEquals(20, g.strideFirst());
        assertEquals(0, g.strideSecond(), "a shared by the batch");
        assertEquals(4, g.ldc());
        assertEquals(28, g.strideC());
        assertEquals(3, g.batch());
    }
}

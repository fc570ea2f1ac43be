package dev.tensorbackend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernels on their own, against plain loops: both Vector API micro-kernels (the GEMM tests
 * reach only the one this machine's vector width selects, 8 rows with 512-bit vectors, 6
 * otherwise, and the other must be right wherever it runs), and the dot products of runs.
 */
class VectorKernelsTest {

    interface MicroKernel {
        void run(int kc, float[] a, int aOff, float[] b, int bOff, int[] bRows, float[] c, int cOff, int ldc, boolean overwrite);
    }

    @Test
    void eightRowKernelMatchesPlainLoops() {
        check(8, VectorKernels::microKernel8);
    }

    @Test
    void sixRowKernelMatchesPlainLoops() {
        check(6, VectorKernels::microKernel6);
    }

    /** The filter gradient takes dot4x4 only for runs of whole vectors; the scalar kernels have no vectors to fill. */
    @Test
    void runsFillVectorsOnlyInWholeVectors() {
        int lanes = VectorKernels.species().length();
        VectorKernels v = new VectorKernels();
        assertTrue(v.runsFillVectors(lanes) && v.runsFillVectors(4 * lanes));
        assertFalse(v.runsFillVectors(4 * lanes - 3) || v.runsFillVectors(lanes + 1));
        assertTrue(new ScalarKernels().runsFillVectors(57));
    }

    /** The run-wise dot products of the filter gradient, both kernel sets, with partial blocks and vector tails. */
    @Test
    void dotProductsOfRunsMatchPlainLoops() {
        Random rnd = new Random(21);
        for (FastKernels kernels : TestKernels.both()) {
            for (int len : new int[] {1, 15, 16, 40, 64}) {
                int runs = 3, aStep = len + 2, bStep = len + 5;
                float[] a = ErrorBound.random(rnd, 4 * runs * aStep + 10), b = ErrorBound.random(rnd, 4 * runs * bStep + 10);
                int[] aOffs = {1, runs * aStep + 2, 2 * runs * aStep + 3, 3 * runs * aStep + 4};
                int[] bOffs = {3 * runs * bStep, 5, runs * bStep + 7, 2 * runs * bStep + 1};
                for (int[] valid : new int[][] {{4, 4}, {3, 2}, {1, 4}}) {
                    int ni = valid[0], nj = valid[1], outStride = 6;
                    float[] out = ErrorBound.random(rnd, 4 * outStride), expected = out.clone(), magnitude = new float[out.length];
                    for (int i = 0; i < ni; i++) {
                        for (int j = 0; j < nj; j++) {
                            double acc = 0, mag = 0;
                            for (int y = 0; y < runs; y++) {
                                for (int e = 0; e < len; e++) {
                                    double prod = (double) a[aOffs[i] + y * aStep + e] * b[bOffs[j] + y * bStep + e];
                                    acc += prod;
                                    mag += Math.abs(prod);
                                }
                            }
                            expected[i * outStride + j] = (float) (out[i * outStride + j] + acc);
                            magnitude[i * outStride + j] = (float) (Math.abs(out[i * outStride + j]) + mag);
                        }
                    }
                    kernels.dot4x4(a, aOffs, aStep, b, bOffs, bStep, runs, len, ni, nj, out, 0, outStride);
                    // runs * len products plus the add onto out; entries outside ni x nj untouched (bound 0)
                    ErrorBound.assertWithin(kernels.name() + " dot4x4 len " + len + " valid " + ni + "x" + nj,
                            expected, out, magnitude, runs * len + 1);
                }
            }
        }
    }

    private static void check(int mr, MicroKernel kernel) {
        Random rnd = new Random(mr);
        int nr = VectorKernels.NR, ldc = nr + 3, aOff = 5, bOff = 7, cOff = 2, ldb = nr + 9;
        for (int kc : new int[] {0, 1, 3, 256}) {
            for (boolean overwrite : new boolean[] {false, true}) {
                // B rows read through the row table, here ldb apart and in reverse order
                int[] bRows = new int[kc];
                for (int p = 0; p < kc; p++) {
                    bRows[p] = (kc - 1 - p) * ldb;
                }
                float[] a = ErrorBound.random(rnd, aOff + mr * kc), b = ErrorBound.random(rnd, bOff + ldb * kc);
                float[] c = ErrorBound.random(rnd, cOff + mr * ldc);
                if (overwrite) { // the tile's old contents must be neither read nor kept: NaN would show
                    for (int r = 0; r < mr; r++) {
                        java.util.Arrays.fill(c, cOff + r * ldc, cOff + r * ldc + nr, Float.NaN);
                    }
                }
                float[] expected = c.clone(), magnitude = new float[c.length];
                for (int r = 0; r < mr; r++) {
                    for (int q = 0; q < nr; q++) {
                        double acc = 0, mag = 0;
                        for (int p = 0; p < kc; p++) {
                            acc += (double) a[aOff + p * mr + r] * b[bOff + bRows[p] + q];
                            mag += Math.abs((double) a[aOff + p * mr + r] * b[bOff + bRows[p] + q]);
                        }
                        int at = cOff + r * ldc + q;
                        double old = overwrite ? 0 : c[at];
                        expected[at] = (float) (old + acc);
                        magnitude[at] = (float) (Math.abs(old) + mag);
                    }
                }
                kernel.run(kc, a, aOff, b, bOff, bRows, c, cOff, ldc, overwrite);
                // kc products plus the add onto C; elements outside the tile are untouched (bound 0)
                ErrorBound.assertWithin(mr + "-row micro-kernel, kc " + kc + (overwrite ? ", overwriting" : ""),
                        expected, c, magnitude, kc + 1);
            }
        }
    }
}

package dev.tensorbackend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

/**
 * Kernels on their own, against plain loops: both Vector API micro-kernels, both narrow gathered
 * ones and the wide one (the GEMM and convolution tests reach only the ones this machine's
 * vector width selects, 8 rows and the wide tile with 512-bit vectors, 6 rows otherwise, and the
 * others must be right wherever they run), and the scalar gathered one.
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

    interface GatherKernel {
        void run(int kc, float[] a, int[] aRows, int rowsOff, int[] aCols, int firstCol, float[] b, int bOff,
                 float[] c, int cOff, int ldc, boolean overwrite);
    }

    @Test
    void eightRowGatherKernelMatchesPlainLoops() {
        checkGather(8, VectorKernels.NR, VectorKernels::gatherMicroKernel8);
    }

    @Test
    void sixRowGatherKernelMatchesPlainLoops() {
        checkGather(6, VectorKernels.NR, VectorKernels::gatherMicroKernel6);
    }

    @Test
    void wideGatherKernelMatchesPlainLoops() {
        // it only stores (the overwriting case): a later K block's tile is added onto C by Gemm
        checkGather(6, 2 * VectorKernels.NR, new boolean[] {true}, (kc, a, aRows, rowsOff, aCols, firstCol, b, bOff, c, cOff, ldc,
                overwrite) -> VectorKernels.wideGatherMicroKernel6(kc, a, aRows, rowsOff, aCols, firstCol, b, bOff, c, cOff, ldc));
    }

    @Test
    void scalarGatherKernelMatchesPlainLoops() {
        ScalarKernels scalar = new ScalarKernels();
        checkGather(scalar.mr(), scalar.nr(), scalar::gatherMicroKernel);
    }

    /**
     * The gathered micro-kernel (the filter gradient's, and narrow products'): A read through
     * row and column offset tables, repeated and unordered here, from an offset into both
     * tables; C added onto, or overwritten (its old contents NaN, which must not show).
     */
    private static void checkGather(int mr, int nr, GatherKernel kernel) {
        checkGather(mr, nr, new boolean[] {false, true}, kernel);
    }

    private static void checkGather(int mr, int nr, boolean[] overwriteCases, GatherKernel kernel) {
        Random rnd = new Random(31 * mr + nr);
        int ldc = nr + 3, cOff = 2;
        for (int kc : new int[] {0, 1, 5, 300}) {
            for (boolean overwrite : overwriteCases) {
                int rowsOff = 3, firstCol = 4, bOff = 6;
                int[] aRows = new int[rowsOff + mr], aCols = new int[firstCol + kc];
                for (int i = 0; i < aRows.length; i++) {
                    aRows[i] = rnd.nextInt(50) * 7; // may repeat, as the last tap of a partial tile does
                }
                for (int q = 0; q < aCols.length; q++) {
                    aCols[q] = rnd.nextInt(400);
                }
                float[] a = ErrorBound.random(rnd, 50 * 7 + 400), b = ErrorBound.random(rnd, bOff + kc * nr);
                float[] c = ErrorBound.random(rnd, cOff + mr * ldc);
                if (overwrite) {
                    for (int i = 0; i < mr; i++) {
                        Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + nr, Float.NaN);
                    }
                }
                float[] expected = c.clone(), magnitude = new float[c.length];
                for (int i = 0; i < mr; i++) {
                    for (int j = 0; j < nr; j++) {
                        int at = cOff + i * ldc + j;
                        double acc = overwrite ? 0 : c[at], mag = Math.abs(acc);
                        for (int q = 0; q < kc; q++) {
                            double prod = (double) a[aRows[rowsOff + i] + aCols[firstCol + q]] * b[bOff + q * nr + j];
                            acc += prod;
                            mag += Math.abs(prod);
                        }
                        expected[at] = (float) acc;
                        magnitude[at] = (float) mag;
                    }
                }
                kernel.run(kc, a, aRows, rowsOff, aCols, firstCol, b, bOff, c, cOff, ldc, overwrite);
                // kc products plus the add onto C; elements outside the tile untouched (bound 0)
                ErrorBound.assertWithin(mr + "x" + nr + " gathered micro-kernel, kc " + kc + (overwrite ? ", overwriting" : ""),
                        expected, c, magnitude, kc + 1);
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
                        Arrays.fill(c, cOff + r * ldc, cOff + r * ldc + nr, Float.NaN);
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

package dev.tensorbackend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

/**
 * Both Vector API micro-kernels on their own, against a plain triple loop: the GEMM tests
 * reach only the one this machine's vector width selects (8 rows with 512-bit vectors, 6
 * otherwise), and the other must be right wherever it runs.
 */
class VectorKernelsTest {

    interface MicroKernel {
        void run(int kc, float[] a, int aOff, float[] b, int bOff, int[] bRows, float[] c, int cOff, int ldc);
    }

    @Test
    void eightRowKernelMatchesPlainLoops() {
        check(8, VectorKernels::microKernel8);
    }

    @Test
    void sixRowKernelMatchesPlainLoops() {
        check(6, VectorKernels::microKernel6);
    }

    private static void check(int mr, MicroKernel kernel) {
        Random rnd = new Random(mr);
        int nr = VectorKernels.NR, ldc = nr + 3, aOff = 5, bOff = 7, cOff = 2, ldb = nr + 9;
        for (int kc : new int[] {0, 1, 3, 256}) {
            // B rows read through the row table, here ldb apart and in reverse order
            int[] bRows = new int[kc];
            for (int p = 0; p < kc; p++) {
                bRows[p] = (kc - 1 - p) * ldb;
            }
            float[] a = ErrorBound.random(rnd, aOff + mr * kc), b = ErrorBound.random(rnd, bOff + ldb * kc);
            float[] c = ErrorBound.random(rnd, cOff + mr * ldc);
            float[] expected = c.clone(), magnitude = new float[c.length];
            for (int r = 0; r < mr; r++) {
                for (int q = 0; q < nr; q++) {
                    double acc = 0, mag = 0;
                    for (int p = 0; p < kc; p++) {
                        acc += (double) a[aOff + p * mr + r] * b[bOff + bRows[p] + q];
                        mag += Math.abs((double) a[aOff + p * mr + r] * b[bOff + bRows[p] + q]);
                    }
                    int at = cOff + r * ldc + q;
                    expected[at] = (float) (c[at] + acc);
                    magnitude[at] = (float) (Math.abs(c[at]) + mag);
                }
            }
            kernel.run(kc, a, aOff, b, bOff, bRows, c, cOff, ldc);
            // kc products plus the add onto C; elements outside the tile are untouched (bound 0)
            ErrorBound.assertWithin(mr + "-row micro-kernel, kc " + kc, expected, c, magnitude, kc + 1);
        }
    }
}

package dev.tensorbackend.cpu;

import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.Shape;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The blocked GEMM against {@link ReferenceKernels#matmul}; error bounds in {@link ErrorBound}. */
class GemmTest {

    /**
     * m, n, k: edges at 0 and 1, sizes just off the micro-tiles (8 x 32, 4 x 4) and the
     * default blocks (kc 512, mc 96, nc 1024).
     */
    private static final int[][] FIXED = {
            {0, 5, 3}, {5, 0, 3}, {4, 5, 0}, {1, 1, 1}, {1, 37, 1}, {37, 1, 1}, {1, 1, 300},
            {7, 33, 5}, {13, 17, 19}, {8, 32, 512}, {9, 31, 513}, {97, 70, 97}, {150, 97, 1030}, {3, 1030, 40},
    };

    @Test
    void everyShapeAndTransposeMatchesTheReference() {
        Random rnd = new Random(42);
        List<int[]> shapes = new ArrayList<>(List.of(FIXED));
        for (int i = 0; i < 12; i++) {
            shapes.add(new int[] {1 + rnd.nextInt(70), 1 + rnd.nextInt(90), 1 + rnd.nextInt(300)});
        }
        for (FastKernels kernels : TestKernels.both()) {
            Gemm gemm = new Gemm(kernels, TestKernels.THREE_THREADS);
            for (int[] s : shapes) {
                for (int t = 0; t < 4; t++) {
                    boolean transA = (t & 1) != 0, transB = (t & 2) != 0;
                    Shape a = transA ? Shape.of(s[2], s[0]) : Shape.of(s[0], s[2]);
                    Shape b = transB ? Shape.of(s[1], s[2]) : Shape.of(s[2], s[1]);
                    check(gemm, rnd, a, transA, b, transB);
                }
            }
        }
    }

    /** Tiny blocks (kc 7, mc 2 tiles, nc 2 tiles) put many block edges inside small matrices. */
    @Test
    void smallBlocksCrossManyBlockEdges() {
        Random rnd = new Random(8);
        for (FastKernels kernels : TestKernels.both()) {
            Gemm gemm = new Gemm(kernels, TestKernels.THREE_THREADS, 7, 2 * kernels.mr(), 2 * kernels.nr());
            for (int i = 0; i < 10; i++) {
                int m = 1 + rnd.nextInt(40), n = 1 + rnd.nextInt(150), k = 1 + rnd.nextInt(60);
                boolean transA = rnd.nextBoolean(), transB = rnd.nextBoolean();
                check(gemm, rnd, transA ? Shape.of(k, m) : Shape.of(m, k), transA, transB ? Shape.of(n, k) : Shape.of(k, n), transB);
            }
        }
    }

    @Test
    void batchesAndBroadcastOperandsMatchTheReference() {
        Random rnd = new Random(7);
        for (FastKernels kernels : TestKernels.both()) {
            for (CpuPool pool : List.of(TestKernels.ONE_THREAD, TestKernels.THREE_THREADS)) {
                Gemm gemm = new Gemm(kernels, pool);
                check(gemm, rnd, Shape.of(4, 9, 13), false, Shape.of(4, 13, 35), false);
                check(gemm, rnd, Shape.of(3, 13, 9), true, Shape.of(13, 35), false);   // b shared by every entry
                check(gemm, rnd, Shape.of(11, 13), false, Shape.of(5, 35, 13), true);  // a shared by every entry
                check(gemm, rnd, Shape.of(2, 260, 200), true, Shape.of(2, 150, 260), true); // fewer entries than threads: each split
                check(gemm, rnd, Shape.of(0, 3, 4), false, Shape.of(4, 5), false);   // empty batch
            }
        }
    }

    @Test
    void resultsRepeatBitForBitAndDoNotDependOnTheThreadCount() {
        Random rnd = new Random(3);
        for (FastKernels kernels : TestKernels.both()) {
            MatmulDims d = MatmulDims.of(Shape.of(300, 143), true, Shape.of(211, 300), true);
            float[] a = ErrorBound.random(rnd, 300 * 143), b = ErrorBound.random(rnd, 211 * 300);
            Gemm threaded = new Gemm(kernels, TestKernels.THREE_THREADS);
            float[] first = threaded.matmul(a, b, d);
            for (int run = 0; run < 3; run++) {
                assertArrayEquals(first, threaded.matmul(a, b, d), kernels.name() + ": run " + run + " differs from run 0");
            }
            assertArrayEquals(first, new Gemm(kernels, TestKernels.ONE_THREAD).matmul(a, b, d),
                    kernels.name() + ": 1 thread differs from 3 threads");
        }
    }

    /**
     * A product narrow enough to read A in place ({@link Gemm#IN_PLACE_A_MAX_SLIVERS}) gives the
     * bits of the packed path: its columns are the first columns of a wider product (packed A)
     * of the same A, across K blocks, edge rows, both layouts of A, and on one and three threads;
     * for widths of one sliver, a partial second one (the wide tile with edge columns), exactly
     * two (B read in place by the wide tile), an odd count (wide tiles, then a narrow one) and
     * the widest. 45 rows go through narrow tiles only
     * (too many rows of a wide tile would be wasted); 203 rows through wide ones, the last tile
     * with 5 rows, on one thread, and through both kinds on three (row bands of 64, 72 and 67).
     * The widest of them is wider than {@link Gemm#IN_PLACE_A_MAX_SLIVERS}: the wide tile alone
     * reads A in place there. The wider product packs A: its kernels are told there is no wide
     * tile.
     */
    @Test
    void narrowProductsReadingAInPlaceGiveThePackedPathsBits() {
        Random rnd = new Random(19);
        for (FastKernels kernels : TestKernels.both()) {
            int nr = kernels.nr(), widest = Gemm.IN_PLACE_A_MAX_SLIVERS * nr;
            for (int m : new int[] {45, 203}) {
                for (int narrow : new int[] {nr, nr + 1, 2 * nr, 3 * nr - 5, widest, widest + nr + 7}) {
                    checkInPlaceAgainstPacked(kernels, m, narrow, widest + 3 * nr + 1, rnd);
                }
            }
        }
    }

    /**
     * The same kernels without the wide tile, so that a product wider than
     * {@link Gemm#IN_PLACE_A_MAX_SLIVERS} packs A whatever its rows.
     */
    private static FastKernels withoutWideTile(FastKernels kernels) {
        return (FastKernels) Proxy.newProxyInstance(FastKernels.class.getClassLoader(), new Class<?>[] {FastKernels.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("wideMr")) {
                        return 0;
                    }
                    try {
                        return method.invoke(kernels, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void checkInPlaceAgainstPacked(FastKernels kernels, int m, int narrow, int wide, Random rnd) {
        int k = 70;
        for (CpuPool pool : List.of(TestKernels.ONE_THREAD, TestKernels.THREE_THREADS)) {
            Gemm gemm = new Gemm(kernels, pool, 16, 2 * kernels.mr(), 4 * kernels.nr());
            Gemm packing = new Gemm(withoutWideTile(kernels), pool, 16, 2 * kernels.mr(), 4 * kernels.nr());
            for (boolean transA : new boolean[] {false, true}) {
                float[] a = ErrorBound.random(rnd, m * k), bWide = ErrorBound.random(rnd, k * wide);
                float[] bNarrow = new float[k * narrow];
                for (int p = 0; p < k; p++) {
                    System.arraycopy(bWide, p * wide, bNarrow, p * narrow, narrow);
                }
                Shape aShape = transA ? Shape.of(k, m) : Shape.of(m, k);
                float[] cWide = packing.matmul(a, bWide, MatmulDims.of(aShape, transA, Shape.of(k, wide), false));
                float[] cNarrow = gemm.matmul(a, bNarrow, MatmulDims.of(aShape, transA, Shape.of(k, narrow), false));
                for (int i = 0; i < m; i++) {
                    float[] expected = Arrays.copyOfRange(cWide, i * wide, i * wide + narrow);
                    float[] actual = Arrays.copyOfRange(cNarrow, i * narrow, i * narrow + narrow);
                    assertArrayEquals(expected, actual, kernels.name() + " " + pool.threads() + " threads, transA "
                            + transA + ", " + m + " x " + narrow + ": row " + i + " of the narrow product differs from the wide one's");
                }
            }
        }
    }

    @Test
    void nanAndInfinityPropagateAsInTheReference() {
        for (FastKernels kernels : TestKernels.both()) {
            float[] a = {1, Float.NaN, 2, 3, 0, 1}; // 3 x 2
            float[] b = {Float.POSITIVE_INFINITY, 1, 0, 2}; // 2 x 2
            MatmulDims d = MatmulDims.of(Shape.of(3, 2), false, Shape.of(2, 2), false);
            float[] expected = ReferenceKernels.matmul(a, b, d);
            assertArrayEquals(expected, new Gemm(kernels, TestKernels.ONE_THREAD).matmul(a, b, d), kernels.name());
        }
    }

    private static void check(Gemm gemm, Random rnd, Shape aShape, boolean transA, Shape bShape, boolean transB) {
        MatmulDims d = MatmulDims.of(aShape, transA, bShape, transB);
        float[] a = ErrorBound.random(rnd, aShape.size()), b = ErrorBound.random(rnd, bShape.size());
        float[] expected = ReferenceKernels.matmul(a, b, d);
        float[] actual = gemm.matmul(a, b, d);
        assertEquals(expected.length, actual.length);
        float[] magnitude = ReferenceKernels.matmul(ErrorBound.abs(a), ErrorBound.abs(b), d);
        ErrorBound.assertWithin(gemm.kernels().name() + " " + gemm.pool().threads() + " threads matmul(a" + aShape
                + (transA ? "^T" : "") + ", b" + bShape + (transB ? "^T" : "") + ")", expected, actual, magnitude, d.k());
    }
}

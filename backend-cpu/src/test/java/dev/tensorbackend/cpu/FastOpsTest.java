package dev.tensorbackend.cpu;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Element-wise ops, reductions and softmax against the reference loops. Element-wise ops do
 * the same single float operation per element as the reference, so they must agree bit for
 * bit; reductions and softmax get error bounds derived in each test.
 */
class FastOpsTest {
    /** Empty, shorter than a vector, odd, and longer than one parallel chunk (2^15) with a tail. */
    private static final int[] SIZES = {0, 1, 7, 16, 33, 1000, 70_001};

    private static List<FastOps> allOps() {
        return TestKernels.both().stream()
                .flatMap(k -> List.of(new FastOps(k, TestKernels.ONE_THREAD), new FastOps(k, TestKernels.THREE_THREADS)).stream())
                .toList();
    }

    /** Random values with the specials the ops must treat as the reference does sprinkled in. */
    private static float[] withSpecials(Random rnd, int size) {
        float[] x = ErrorBound.random(rnd, size);
        float[] specials = {Float.NaN, 0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -1e-40f};
        for (int i = 0; i < size; i += 5) {
            x[i] = specials[(i / 5) % specials.length];
        }
        return x;
    }

    @Test
    void elementWiseOpsAgreeBitForBit() {
        Random rnd = new Random(1);
        for (FastOps ops : allOps()) {
            for (int n : SIZES) {
                float[] a = withSpecials(rnd, n), b = ErrorBound.random(rnd, n);
                assertArrayEquals(ReferenceKernels.add(a, b), ops.add(a, b), "add " + n);
                assertArrayEquals(ReferenceKernels.mul(a, b), ops.mul(a, b), "mul " + n);
                assertArrayEquals(ReferenceKernels.scale(a, -1.7f), ops.scale(a, -1.7f), "scale " + n);
                assertArrayEquals(ReferenceKernels.relu(a), ops.relu(a), "relu " + n);
                assertArrayEquals(ReferenceKernels.reluBackward(a, b), ops.reluBackward(a, b), "reluBackward " + n);
                float[] yRef = b.clone(), yFast = b.clone();
                ReferenceKernels.axpy(0.3f, a, yRef);
                ops.axpy(0.3f, a, yFast);
                assertArrayEquals(yRef, yFast, "axpy " + n);
            }
        }
    }

    @Test
    void addBiasAgreesBitForBitOnEveryAxis() {
        Random rnd = new Random(2);
        int[][] views = {{3, 37, 1}, {2, 5, 300}, {1, 1, 1}, {0, 4, 3}, {4, 0, 2}, {2000, 40, 1}, {3, 16, 4097}};
        for (FastOps ops : allOps()) {
            for (int[] v : views) {
                float[] x = withSpecials(rnd, v[0] * v[1] * v[2]), bias = ErrorBound.random(rnd, v[1]);
                assertArrayEquals(ReferenceKernels.addBias(x, bias, v[0], v[1], v[2]), ops.addBias(x, bias, v[0], v[1], v[2]),
                        "addBias " + v[0] + "x" + v[1] + "x" + v[2]);
            }
        }
    }

    /**
     * Sums: blocks of {@link FastOps#SUM_BLOCK} values are added in float (within a block at
     * most SUM_BLOCK roundings), block totals in double; so the bound is SUM_BLOCK terms of the
     * sum of absolute values.
     */
    @Test
    void sumsStayWithinTheirBoundAndRepeat() {
        Random rnd = new Random(3);
        for (FastOps ops : allOps()) {
            for (int n : SIZES) {
                float[] x = ErrorBound.random(rnd, n);
                float fast = ops.sum(x);
                ErrorBound.assertWithin("sum " + n, new float[] {ReferenceKernels.sum(x)}, new float[] {fast},
                        new float[] {ReferenceKernels.sum(ErrorBound.abs(x))}, FastOps.SUM_BLOCK);
                assertEquals(Float.floatToIntBits(fast), Float.floatToIntBits(ops.sum(x)), "sum " + n + " repeats");
            }
            int[][] views = {{3, 37, 1}, {2, 5, 300}, {0, 4, 3}, {5, 3, 2500}, {1000, 7, 1}};
            for (int[] v : views) {
                float[] x = ErrorBound.random(rnd, v[0] * v[1] * v[2]);
                ErrorBound.assertWithin("sumToAxis " + v[0] + "x" + v[1] + "x" + v[2],
                        ReferenceKernels.sumToAxis(x, v[0], v[1], v[2]), ops.sumToAxis(x, v[0], v[1], v[2]),
                        ReferenceKernels.sumToAxis(ErrorBound.abs(x), v[0], v[1], v[2]), FastOps.SUM_BLOCK);
            }
        }
    }

    @Test
    void sumDoesNotDependOnTheThreadCount() {
        float[] x = ErrorBound.random(new Random(9), 300_007);
        for (FastKernels k : TestKernels.both()) {
            assertEquals(new FastOps(k, TestKernels.ONE_THREAD).sum(x), new FastOps(k, TestKernels.THREE_THREADS).sum(x), k.name());
        }
    }

    /**
     * Softmax: each exp is within 1 ulp, at most 2 u relatively ({@link FloatExp}, tested in
     * FloatExpTest), the row total gathers at most cols float roundings, the normalisation two
     * more; so each y is within (cols + 4) u of itself, relatively, and the magnitude for the
     * bound is y itself. With exponents spread as far as 120, some exps and ys are subnormal,
     * where float spacing is an absolute 2^-149: the smallest normal float added to the
     * magnitude gives that slack ((cols + 4) 2^-150) and nothing noticeable elsewhere.
     */
    @Test
    void softmaxStaysWithinItsBound() {
        Random rnd = new Random(4);
        int[][] shapes = {{3, 10}, {1, 1}, {5, 17}, {0, 4}, {4, 0}, {2, 1000}, {300, 130}, {7, 4097}, {9, 31}};
        for (float spread : new float[] {8, 60}) {
            for (FastOps ops : allOps()) {
                for (int[] s : shapes) {
                    float[] x = ErrorBound.random(rnd, s[0] * s[1]);
                    for (int i = 0; i < x.length; i++) {
                        x[i] *= spread; // exponents over a wide range, down into exp's underflow
                    }
                    float[] expected = ReferenceKernels.softmax(x, s[0], s[1]);
                    float[] magnitude = ErrorBound.abs(expected);
                    for (int i = 0; i < magnitude.length; i++) {
                        magnitude[i] += Float.MIN_NORMAL;
                    }
                    ErrorBound.assertWithin("softmax " + s[0] + "x" + s[1] + " spread " + spread, expected,
                            ops.softmax(x, s[0], s[1]), magnitude, s[1] + 2);
                }
            }
        }
    }

    /**
     * The same bits for 1 and 3 threads, and on the first call (in whichever tier it ran) as
     * after 300 more have had the JIT compile the kernels: the exp is built from correctly
     * rounded operations only, so the tier cannot change it. Between the two kernel sets the row totals are added in
     * another order (lanes against one running sum), so they agree to the bound above, not bitwise.
     */
    @Test
    void softmaxRepeatsBitForBitAcrossThreadsAndWarmUp() {
        Random rnd = new Random(8);
        int rows = 40, cols = 1003;
        float[] x = ErrorBound.random(rnd, rows * cols);
        for (int i = 0; i < x.length; i++) {
            x[i] *= 50;
        }
        x[17] = Float.NEGATIVE_INFINITY;
        for (FastKernels k : TestKernels.both()) {
            FastOps one = new FastOps(k, TestKernels.ONE_THREAD), three = new FastOps(k, TestKernels.THREE_THREADS);
            float[] first = one.softmax(x, rows, cols);
            for (int rep = 0; rep < 300; rep++) {
                one.softmax(x, rows, cols);
            }
            assertArrayEquals(first, one.softmax(x, rows, cols), k.name() + " softmax after warm-up");
            assertArrayEquals(first, three.softmax(x, rows, cols), k.name() + " softmax on 3 threads");
        }
    }

    @Test
    void softmaxKeepsNaNAndInfinityAsTheReference() {
        float[] x = {1, Float.NaN, 2, 0, 0, Float.POSITIVE_INFINITY, 3, 1, Float.NEGATIVE_INFINITY, 5, 6, 7, 8, 9, 10, 11, 12, 13,
                14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, Float.NaN, 28, 29};
        for (FastOps ops : allOps()) {
            for (int cols : new int[] {3, 17}) {
                int rows = x.length / cols;
                float[] expected = ReferenceKernels.softmax(java.util.Arrays.copyOf(x, rows * cols), rows, cols);
                float[] actual = ops.softmax(java.util.Arrays.copyOf(x, rows * cols), rows, cols);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(Float.isNaN(expected[i]), Float.isNaN(actual[i]), "softmax NaN at " + i + " with " + cols + " columns");
                }
            }
        }
    }

    /**
     * Rows long enough for every part of the vector kernels (four vectors at a time, single
     * vectors, scalar tail), one special value per row, at every position: a NaN, or +inf (whose
     * exp(inf - inf) is NaN), makes the whole row NaN, and -inf gives 0 with the rest finite.
     */
    @Test
    void softmaxSpreadsNaNFromAnyPositionOfALongRow() {
        int cols = 4 * 16 * 2 + 16 + 5;
        for (float special : new float[] {Float.NaN, Float.intBitsToFloat(0xffc00000), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] x = new float[cols * cols];
            Random rnd = new Random(5);
            for (int r = 0; r < cols; r++) {
                for (int c = 0; c < cols; c++) {
                    x[r * cols + c] = rnd.nextFloat() * 8 - 4;
                }
                x[r * cols + r] = special;
            }
            float[] expected = ReferenceKernels.softmax(x, cols, cols);
            for (FastOps ops : allOps()) {
                float[] actual = ops.softmax(x, cols, cols);
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(Float.isNaN(expected[i]), Float.isNaN(actual[i]), "softmax with " + special + ": NaN at " + i);
                    if (!Float.isNaN(expected[i])) {
                        assertEquals(expected[i], actual[i], 1e-6f, "softmax with " + special + " at " + i);
                    }
                }
            }
        }
    }

    /**
     * The vector kernels find a row's maximum on the floats' bit patterns read as ints, where
     * negative floats order backwards; rows without a positive value, or whose largest is a
     * zero of either sign, must still have their true maximum subtracted. A wrong one shows
     * here: the values spread over 300, so an offset off by more than about 88 makes exps
     * overflow to inf or underflow to 0 and the row NaN or all zero. Long rows, so that both
     * the first row's pass and the pass that finds the next row's maximum are used.
     */
    @Test
    void softmaxFindsTheMaximumOfRowsWithoutPositiveValues() {
        int rows = 6, cols = 16 * 9 + 3;
        Random rnd = new Random(12);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = -1 - 300 * rnd.nextFloat();
        }
        x[2 * cols + 40] = -0f; // row 2's largest is -0
        x[3 * cols + 7] = -0f; // row 3's: +0 beside -0
        x[3 * cols + 100] = 0f;
        java.util.Arrays.fill(x, 4 * cols, 5 * cols, Float.NEGATIVE_INFINITY); // row 4: -inf with one finite value
        x[4 * cols + 100] = -7f;
        float[] expected = ReferenceKernels.softmax(x, rows, cols);
        float[] magnitude = ErrorBound.abs(expected);
        for (int i = 0; i < magnitude.length; i++) {
            magnitude[i] += Float.MIN_NORMAL;
        }
        for (FastOps ops : allOps()) {
            float[] actual = ops.softmax(x, rows, cols);
            ErrorBound.assertWithin("softmax of negative rows", expected, actual, magnitude, cols + 2);
            assertEquals(1f, actual[4 * cols + 100], "the one finite value of a row of -inf");
        }
    }

    /**
     * Softmax backward: dot(dy, y) gathers at most cols roundings of sum |dy y|, the
     * subtraction and product two more; so the bound is (cols + 2) u times
     * |y| (|dy| + sum |dy y|), which the reference computes from absolute values.
     */
    @Test
    void softmaxBackwardStaysWithinItsBound() {
        Random rnd = new Random(6);
        int[][] shapes = {{3, 10}, {1, 1}, {5, 17}, {0, 4}, {2, 1000}, {300, 130}};
        for (FastOps ops : allOps()) {
            for (int[] s : shapes) {
                int rows = s[0], cols = s[1];
                float[] y = ReferenceKernels.softmax(ErrorBound.random(rnd, rows * cols), rows, cols);
                float[] dy = ErrorBound.random(rnd, rows * cols);
                float[] magnitude = new float[y.length];
                for (int r = 0; r < rows; r++) {
                    double dot = 0;
                    for (int c = 0; c < cols; c++) {
                        dot += Math.abs((double) dy[r * cols + c] * y[r * cols + c]);
                    }
                    for (int c = 0; c < cols; c++) {
                        magnitude[r * cols + c] = (float) (Math.abs(y[r * cols + c]) * (Math.abs(dy[r * cols + c]) + dot));
                    }
                }
                ErrorBound.assertWithin("softmaxBackward " + rows + "x" + cols, ReferenceKernels.softmaxBackward(y, dy, rows, cols),
                        ops.softmaxBackward(y, dy, rows, cols), magnitude, cols + 2);
            }
        }
    }
}

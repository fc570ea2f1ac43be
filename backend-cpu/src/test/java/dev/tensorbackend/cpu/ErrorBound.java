package dev.tensorbackend.cpu;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * How far a float result may stray from the double-accumulated reference.
 *
 * <p>The fast paths accumulate dot products in float, in blocks and lanes, in another order
 * than the reference; the reference rounds a double sum once. The classic bound for a sum
 * of n float products (Higham, Accuracy and Stability of Numerical Algorithms, 3.1) is
 * {@code |err| <= gamma_n * sum |a_i b_i|} with {@code gamma_n ~ n u}, {@code u = 2^-24},
 * whatever the order or blocking, FMA or not. So each element is checked against
 * {@code (terms + 2) * u * magnitude}, where magnitude is the same op run by the reference
 * on the absolute values of the inputs (so each element gets its own bound, not a global
 * guess), terms the number of products summed, and the 2 covers the final roundings. An
 * indexing or packing mistake errs by O(magnitude), thousands of times this bound, so the
 * check cannot hide a bug; and as a proven bound it cannot flake on a new seed.
 */
final class ErrorBound {
    static final double U = 0x1p-24;

    private ErrorBound() {
    }

    static void assertWithin(String what, float[] expected, float[] actual, float[] magnitude, double terms) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            double limit = (terms + 2) * U * magnitude[i] + Double.MIN_NORMAL;
            double err = Math.abs((double) actual[i] - expected[i]);
            if (!(err <= limit)) { // also fails on NaN
                fail(String.format("%s: element %d of %d: expected %s, got %s, |err| %.3g > bound %.3g (%s terms, magnitude %s)",
                        what, i, expected.length, expected[i], actual[i], err, limit, terms, magnitude[i]));
            }
        }
    }

    static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.abs(x[i]);
        }
        return y;
    }

    static float[] random(Random rnd, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = rnd.nextFloat() * 2 - 1;
        }
        return x;
    }
}

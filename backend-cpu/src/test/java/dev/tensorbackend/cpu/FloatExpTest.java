package dev.tensorbackend.cpu;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The softmax exp ({@link FloatExp}, and its lanes in {@link VectorKernels}) against
 * {@code Math.exp} in double: within {@link #MAX_ULPS} ulps of the exact value, where an ulp
 * is that of the float nearest the exact value (so for subnormal results, 2^-149), on a dense
 * sweep of arguments and the special values; and the vector lanes the same bits as the
 * scalar function, which is what keeps the two kernel sets' exps identical.
 */
class FloatExpTest {
    /** The derivation (FloatExp) gives about 1 ulp; measured: see the sweep's message. */
    private static final double MAX_ULPS = 1.5;
    private static final int L = VectorKernels.species().length();

    /** Error of got in ulps of the float nearest the exact exp(x - m). */
    private static double ulps(float got, float x, float m) {
        double exact = Math.exp((double) x - m);
        return Math.abs(got - exact) / Math.ulp((float) exact);
    }

    /** The vector pass on one vector, x in its last lane (the others 0). */
    private static float vectorExp(float x, float m) {
        float[] xs = new float[L], out = new float[L];
        xs[L - 1] = x;
        VectorKernels.expPass(xs, out, 0, L, m, 0, new float[1], new float[L]);
        return out[L - 1];
    }

    /** Every float argument in [-104, 0] spaced 2^-12 apart (and each exactly representable), with m = 0, in whole vectors. */
    @Test
    void sweepWithinBoundAndVectorLanesMatchScalar() {
        int count = 104 << 12;
        float[] xs = new float[(count / L + 1) * L];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = -Math.min(i, count) * 0x1p-12f;
        }
        float[] out = new float[xs.length];
        VectorKernels.expPass(xs, out, 0, xs.length, 0f, 0, new float[1], new float[L]);
        double worst = 0;
        float worstAt = 0;
        for (int i = 0; i < xs.length; i++) {
            float scalar = FloatExp.expOfDifference(xs[i], 0f);
            if (Float.floatToRawIntBits(scalar) != Float.floatToRawIntBits(out[i])) {
                fail("x " + xs[i] + ": vector " + out[i] + ", scalar " + scalar);
            }
            double err = ulps(scalar, xs[i], 0f);
            if (err > worst) {
                worst = err;
                worstAt = xs[i];
            }
        }
        System.out.printf("FloatExp: worst error %.3f ulp at x = %s%n", worst, worstAt);
        assertTrue(worst <= MAX_ULPS, "worst error " + worst + " ulp at x = " + worstAt);
    }

    /** Random x <= m over wide ranges, so that x - m rounds and the TwoSum correction matters. */
    @Test
    void differencesOfRandomPairsWithinBound() {
        Random rnd = new Random(31);
        double worst = 0;
        for (int i = 0; i < 2_000_000; i++) {
            float scale = i % 3 == 0 ? 1e4f : i % 3 == 1 ? 100f : 1f;
            float m = (rnd.nextFloat() * 2 - 1) * scale;
            float x = m - rnd.nextFloat() * (i % 2 == 0 ? 110f : 20f);
            float got = FloatExp.expOfDifference(x, m);
            double err = ulps(got, x, m);
            worst = Math.max(worst, err);
            if (!(err <= MAX_ULPS)) {
                fail("exp(" + x + " - " + m + "): got " + got + ", exact " + Math.exp((double) x - m) + ", " + err + " ulp");
            }
            if (i % 1000 == 0) {
                assertEquals(Float.floatToRawIntBits(got), Float.floatToRawIntBits(vectorExp(x, m)), x + " - " + m);
            }
        }
        System.out.printf("FloatExp: worst error %.3f ulp over random differences%n", worst);
    }

    @Test
    void specialValues() {
        float[][] cases = {
                {0f, 0f}, {-0f, 0f}, {0f, -0f}, {5f, 5f},
                {Float.NEGATIVE_INFINITY, 0f}, {Float.NEGATIVE_INFINITY, 3f},
                {-1e30f, 0f}, {-Float.MAX_VALUE, Float.MAX_VALUE}, // x - m overflows to -inf
                {-104.5f, 0f}, {-103.97f, 0f}, {-103.2f, 0f}, {-87.34f, 0f}, {-87.33f, 0f}, {-87.3f, 0f}, // subnormal edge
                {Float.MIN_VALUE, Float.MIN_VALUE * 2}, {-1e-40f, 0f},
        };
        for (float[] c : cases) {
            float x = c[0], m = c[1];
            float got = FloatExp.expOfDifference(x, m);
            float expected = (float) Math.exp((double) x - m);
            assertTrue(ulps(got, x, m) <= MAX_ULPS || (expected == 0 && got == 0), x + " - " + m + ": got " + got + ", expected " + expected);
            assertEquals(Float.floatToRawIntBits(got), Float.floatToRawIntBits(vectorExp(x, m)), x + " - " + m + " vector");
        }
        assertEquals(1f, FloatExp.expOfDifference(0f, 0f));
        assertEquals(1f, FloatExp.expOfDifference(-0f, 0f));
        assertEquals(0f, FloatExp.expOfDifference(Float.NEGATIVE_INFINITY, 0f));
        assertEquals(0f, vectorExp(Float.NEGATIVE_INFINITY, 0f));
        assertEquals(0, Float.floatToRawIntBits(FloatExp.expOfDifference(-200f, 0f)), "+0, not -0 or garbage");
        assertEquals(0, Float.floatToRawIntBits(vectorExp(-200f, 0f)), "+0, not -0 or garbage");
        float[][] nans = {{Float.NaN, 0f}, {0f, Float.NaN}, {Float.NaN, Float.NaN}, {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY},
                {Float.POSITIVE_INFINITY, Float.POSITIVE_INFINITY}};
        for (float[] c : nans) {
            assertTrue(Float.isNaN(FloatExp.expOfDifference(c[0], c[1])), c[0] + " - " + c[1]);
            assertTrue(Float.isNaN(vectorExp(c[0], c[1])), c[0] + " - " + c[1] + " vector");
        }
    }
}

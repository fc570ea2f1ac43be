package dev.tensorbackend.cpu;

/**
 * {@code exp(x - m)} in float for softmax ({@code x <= m}, m the row maximum), built only from
 * correctly rounded float operations (add, multiply, {@link Math#fma}) and integer bit
 * operations, so that its result is fully specified by the IEEE rules: the same bits
 * interpreted or compiled, and the same bits here and in {@link VectorKernels}, which runs
 * this function step for step in SIMD lanes (the vector {@code EXP} operator may differ by an
 * ulp between the Java fallback and the compiler's intrinsic, which would break run-to-run
 * equality). Plain Java: the scalar kernels use it without the Vector API module.
 *
 * <p>The steps, each of which the vector code repeats in the same order:
 * <ol>
 *   <li>{@code s + e == x - m} exactly (TwoSum): {@code s} alone, rounded, would err by up to
 *       half an ulp of {@code |x - m|}, 50 ulps of the result at {@code x - m = -100}.</li>
 *   <li>{@code n = rint(s * log2(e))} by adding 1.5 * 2^23 in an fma: the sum's last mantissa
 *       bits are n, read out as an integer, so no float-to-int conversion (whose NaN and
 *       overflow cases are where implementations differ) is needed.</li>
 *   <li>{@code r = s - n ln2 + e}, |r| <= ln2 / 2, with ln2 split in two floats (Cody-Waite):
 *       the fma with the high part is exact, only the low part's product rounds.</li>
 *   <li>{@code e^r} by a polynomial of degree 6 fitted for least maximum relative error
 *       (see {@link #C2}), in Horner form with fma: its error, 3.1e-9, is under a tenth of
 *       an ulp.</li>
 *   <li>times {@code 2^n}, in one rounding that also lands correctly in the subnormals (results
 *       down to {@code x - m = -104}): the polynomial runs on its coefficients times
 *       {@code 2^-64} (see {@link #C2_DOWN}), which scales every step's value by exactly
 *       {@code 2^-64}, and the product with {@code 2^(n+64)}, built from exponent bits and a
 *       normal float for every n here, is the only rounding. {@code 2^n} itself would need an
 *       exponent field out of range; multiplying by the two factors one after the other gave
 *       the same bits for one multiply more, on the busiest execution units.</li>
 * </ol>
 * Below {@link #LOW} (where exp rounds to 0 in float anyway) and at {@code -inf} the result is
 * +0; NaN in x or m gives NaN. Measured against {@code Math.exp} in double (see
 * {@code FloatExpTest}): within 1 ulp of the correctly rounded float.
 */
final class FloatExp {
    /** Below this, e^t < 2^-150 rounds to 0 in float; also keeps n within the two factors' range. */
    static final float LOW = -104f;
    static final float LOG2E = (float) 1.4426950408889634;
    /** 1.5 * 2^23: adding it rounds to an integer, held in the low mantissa bits. */
    static final float SHIFTER = 0x1.8p23f;
    static final int SHIFTER_BITS = Float.floatToRawIntBits(SHIFTER);
    /** ln2 = LN2_HI + LN2_LO to about 2^-48: LN2_HI is ln2 rounded to float, LN2_LO the rest. */
    static final float LN2_HI = (float) 0.6931471805599453;
    static final float LN2_LO = (float) (0.6931471805599453 - LN2_HI);
    /**
     * {@code 1 + r + C2 r^2 + ... + C6 r^6}: the degree-6 polynomial with the relative error
     * closest to equal ripple (Lawson's iteration on 4,000 Chebyshev points) on
     * |r| <= ln2 / 2, its constant and linear terms held at 1; 3.1e-9 before the coefficients
     * are rounded to float, against 5.5e-9 for the degree-7 Taylor polynomial it replaced.
     */
    static final float C2 = 0x1.fffffcp-2f;
    static final float C3 = 0x1.555492p-3f;
    static final float C4 = 0x1.5558f2p-5f;
    static final float C5 = 0x1.1239d4p-7f;
    static final float C6 = 0x1.6a244cp-10f;

    /**
     * The polynomial's coefficients times {@code 2^-UP}: multiplying by a power of two is exact,
     * and so is every fma step of the scaled polynomial, which is the unscaled step's value
     * times {@code 2^-UP} exactly (the values, at least {@code C6 * 2^-64}, stay far from the
     * subnormals; an fma rounds its exact result once, however small the product inside it).
     */
    static final float C2_DOWN = C2 * 0x1p-64f;
    static final float C3_DOWN = C3 * 0x1p-64f;
    static final float C4_DOWN = C4 * 0x1p-64f;
    static final float C5_DOWN = C5 * 0x1p-64f;
    static final float C6_DOWN = C6 * 0x1p-64f;
    static final float ONE_DOWN = 0x1p-64f;

    /** 2^n is applied as 2^(n + UP), a normal float for every n in range (n >= -151), to the polynomial times 2^-UP. */
    static final int UP = 64;
    static final int BIAS_UP = 127 + UP;

    private FloatExp() {
    }

    /** exp(x - m) for x <= m, as described above. */
    static float expOfDifference(float x, float m) {
        float s = x - m;
        if (s < LOW) { // also -inf; NaN goes on and stays NaN
            return 0f;
        }
        // TwoSum of x and -m: e is what rounding s lost
        float bb = s - x;
        float e = (x - (s - bb)) - (m + bb);
        float kf = Math.fma(s, LOG2E, SHIFTER);
        int n = Float.floatToRawIntBits(kf) - SHIFTER_BITS;
        float k = kf - SHIFTER;
        float r = Math.fma(k, -LN2_HI, s);
        r = Math.fma(k, -LN2_LO, r + e);
        float p = Math.fma(C6_DOWN, r, C5_DOWN); // p is e^r times 2^-UP
        p = Math.fma(p, r, C4_DOWN);
        p = Math.fma(p, r, C3_DOWN);
        p = Math.fma(p, r, C2_DOWN);
        p = Math.fma(p, r, ONE_DOWN);
        p = Math.fma(p, r, ONE_DOWN);
        return p * Float.intBitsToFloat((n + BIAS_UP) << 23);
    }
}

package dev.tensorbackend.api;

/**
 * An element passes when {@code |actual - expected| <= atol + rtol * |expected|}; NaN or
 * infinity passes only against the same value, so a NaN never hides behind a tolerance.
 */
public record Tolerance(double atol, double rtol) {

    public boolean accepts(float expected, float actual) {
        if (Float.isNaN(expected) || Float.isNaN(actual) || Float.isInfinite(expected) || Float.isInfinite(actual)) {
            return Float.compare(expected, actual) == 0;
        }
        return Math.abs((double) actual - expected) <= atol + rtol * Math.abs((double) expected);
    }

    /** Compares two arrays element by element and reports the worst element. */
    public Comparison compare(float[] expected, float[] actual) {
        if (expected.length != actual.length) {
            throw new BackendException("compare: lengths differ: " + expected.length + " vs " + actual.length);
        }
        boolean passed = true;
        int worst = -1;
        double worstRatio = -1, maxAbs = 0, maxRel = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], abs = Math.abs(actual[i] - e), limit = atol + rtol * Math.abs(e);
            boolean ok = accepts(expected[i], actual[i]);
            // a failure ranks above every pass; ties keep the first, so the report names the first failure
            double ratio = !ok ? Double.POSITIVE_INFINITY : abs == 0 ? 0 : abs / limit;
            passed &= ok;
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
            if (!Double.isNaN(abs) && !Double.isInfinite(abs)) {
                maxAbs = Math.max(maxAbs, abs);
                if (e != 0) {
                    maxRel = Math.max(maxRel, abs / Math.abs(e));
                }
            }
        }
        return new Comparison(passed, expected.length, maxAbs, maxRel, worst,
                worst < 0 ? 0f : expected[worst], worst < 0 ? 0f : actual[worst], this);
    }

    /**
     * The outcome of {@link #compare}: {@code index} is the first failing element, or the
     * element nearest its limit when all pass (-1 for empty arrays).
     */
    public record Comparison(boolean passed, int count, double maxAbsError, double maxRelError,
                             int index, float expected, float actual, Tolerance tolerance) {
        @Override
        public String toString() {
            return (passed ? "PASS" : "FAIL") + String.format(" max|err| %.3g, max rel %.3g", maxAbsError, maxRelError)
                    + (index < 0 ? " (empty)" : String.format(" %s element %d: expected %s, got %s (atol %.1g, rtol %.1g)",
                    passed ? "worst" : "first failing", index, expected, actual, tolerance.atol(), tolerance.rtol()));
        }
    }
}

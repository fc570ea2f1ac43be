package dev.tensorbackend.api.check;

import dev.tensorbackend.api.Tolerance;

/**
 * The outcome of one {@link OpCase}: the element-wise comparison, or the error that kept the
 * candidate (or the reference) from producing a result, which counts as a failure.
 */
public record CaseResult(OpCase opCase, Tolerance.Comparison comparison, String error) {

    public boolean passed() {
        return error == null && comparison.passed();
    }

    public double maxAbsError() {
        return comparison == null ? Double.NaN : comparison.maxAbsError();
    }

    public double maxRelError() {
        return comparison == null ? Double.NaN : comparison.maxRelError();
    }

    @Override
    public String toString() {
        return opCase + ": " + (error != null ? "FAIL " + error : comparison.toString());
    }
}

package dev.tensorbackend.api;

/**
 * Element counts computed from user input, in {@code long}, so that a product past
 * {@code int} is an error naming what was being sized instead of a wrapped, negative number
 * that surfaces later as an unrelated exception.
 */
public final class Sizes {
    private Sizes() {
    }

    /**
     * The product of {@code factors} as an int; throws a {@link BackendException} starting with
     * {@code what} (name the op and the shapes there) when it is more than {@code Integer.MAX_VALUE}.
     * A zero factor makes the product 0 whatever the others are.
     */
    public static int elements(String what, long... factors) {
        long n = 1;
        for (long f : factors) {
            if (f == 0) {
                return 0;
            }
        }
        StringBuilder product = new StringBuilder();
        boolean over = false;
        for (long f : factors) {
            product.append(product.length() == 0 ? "" : " x ").append(f);
            if (!over) {
                over = Math.multiplyHigh(n, f) != 0 || n * f > Integer.MAX_VALUE || n * f < 0;
                n = over ? n : n * f;
            }
        }
        if (over) {
            throw new BackendException(what + " would hold " + product + " elements, more than " + Integer.MAX_VALUE);
        }
        return (int) n;
    }
}

package dev.tensorbackend.api;

import java.util.function.Supplier;

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
        return elements(() -> what, factors);
    }

    /**
     * As {@link #elements(String, long...)}, the message made only when it is needed: ops size
     * their operands on every call, and a message of shapes built each time (a string per op,
     * two thirds of what the small training step allocated once the kernels' own garbage was
     * gone) is work for a failure that almost never happens.
     */
    public static int elements(Supplier<String> what, long... factors) {
        long n = 1;
        for (long f : factors) {
            if (f == 0) {
                return 0;
            }
        }
        for (long f : factors) {
            if (Math.multiplyHigh(n, f) != 0 || n * f > Integer.MAX_VALUE || n * f < 0) {
                throw new BackendException(what.get() + " would hold " + product(factors) + " elements, more than "
                        + Integer.MAX_VALUE);
            }
            n *= f;
        }
        return (int) n;
    }

    private static String product(long... factors) {
        StringBuilder product = new StringBuilder();
        for (long f : factors) {
            product.append(product.length() == 0 ? "" : " x ").append(f);
        }
        return product.toString();
    }
}

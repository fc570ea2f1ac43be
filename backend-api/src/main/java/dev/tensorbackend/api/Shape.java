package dev.tensorbackend.api;

import java.util.Arrays;

/**
 * The dimensions of a row-major float32 tensor. Immutable. A rank-0 shape is a scalar
 * (one element); any dimension may be zero, giving an empty tensor.
 */
public final class Shape {
    private final int[] dims;
    private final long size;

    private Shape(int[] dims) {
        boolean empty = false;
        for (int d : dims) {
            if (d < 0) {
                throw new BackendException("Shape: negative dimension in " + Arrays.toString(dims));
            }
            empty |= d == 0;
        }
        // a zero anywhere makes the shape empty, however large the other dimensions multiply
        long n = empty ? 0 : 1;
        for (int i = 0; i < dims.length && !empty; i++) {
            n *= dims[i];
            if (n > Integer.MAX_VALUE) {
                throw new BackendException("Shape: " + Arrays.toString(dims)
                        + " has more than " + Integer.MAX_VALUE + " elements");
            }
        }
        this.dims = dims;
        this.size = n;
    }

    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    public static Shape scalar() {
        return new Shape(new int[0]);
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code axis}; a negative axis counts from the end (-1 is the last). */
    public int dim(int axis) {
        return dims[index(axis)];
    }

    /** The axis as an index from 0; a negative axis counts from the end. */
    private int index(int axis) {
        int a = axis < 0 ? dims.length + axis : axis;
        if (a < 0 || a >= dims.length) {
            throw new BackendException("Shape: axis " + axis + " out of range for " + this);
        }
        return a;
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements (1 for a scalar). */
    public int size() {
        return (int) size;
    }

    /**
     * Product of the dimensions after {@code axis}: the stride of {@code axis} in row-major
     * order. A negative axis counts from the end, as in {@link #dim}. In an empty shape the
     * dimensions after an axis can multiply past {@code int}; that is an error, not a wrapped number.
     */
    public int strideOf(int axis) {
        long n = 1;
        for (int i = index(axis) + 1; i < dims.length; i++) {
            n *= dims[i];
            if (n > Integer.MAX_VALUE) {
                throw new BackendException("Shape: the stride of axis " + axis + " of " + this
                        + " is more than " + Integer.MAX_VALUE + " elements");
            }
        }
        return (int) n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}

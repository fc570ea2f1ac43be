package dev.tensorbackend.bench.workload;

import dev.tensorbackend.api.Shape;

/**
 * A row-wise softmax over a square {@code n x n} matrix, named by {@code n}. Softmax is
 * bound by memory, so its work is the bytes it must move at least once: forward reads x
 * and writes y; backward reads y and dy and writes dx.
 */
public record SoftmaxCase(String label, Shape shape) {

    public static final String FORWARD = "softmax forward";
    public static final String BACKWARD = "softmax backward";

    public static SoftmaxCase parse(String label) {
        int n;
        try {
            n = Integer.parseInt(label);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n <= 0) {
            throw new IllegalArgumentException("softmax case '" + label + "': expected a positive size");
        }
        return new SoftmaxCase(label, Shape.of(n, n));
    }

    public Work forwardWork() {
        return Work.bytes(2.0 * Float.BYTES * shape.size());
    }

    public Work backwardWork() {
        return Work.bytes(3.0 * Float.BYTES * shape.size());
    }

    /** A copy of one array of this shape: read once, written once, as the forward pass. */
    public Work copyWork() {
        return forwardWork();
    }

    public String shapeText() {
        return Workloads.dims(shape);
    }
}

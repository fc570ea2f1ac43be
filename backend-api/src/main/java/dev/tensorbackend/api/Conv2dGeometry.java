package dev.tensorbackend.api;

import java.util.function.Supplier;

/**
 * The geometry of a 2-D convolution (cross-correlation, filter not flipped), computed and
 * checked once for every backend.
 *
 * <p>Input {@code [n, c, h, w]}, filter {@code [k, c, r, s]}, output
 * {@code [n, k, outH, outW]} with {@code outH = (h + 2 padH - r) / strideH + 1}; padding is
 * zeros. Output element (b, o, y, x) = sum over (ch, i, j) of
 * {@code input[b, ch, y*strideH - padH + i, x*strideW - padW + j] * filter[o, ch, i, j]}.
 */
public record Conv2dGeometry(int n, int c, int h, int w, int k, int r, int s,
                             int outH, int outW, ConvSpec spec) {

    public static Conv2dGeometry of(String op, Shape input, Shape filter, ConvSpec spec) {
        // the call as the errors name it, made only for an error: this runs on every convolution
        Supplier<String> what = () -> op + "(input" + input + ", filter" + filter + ", stride (" + spec.strideH() + ", "
                + spec.strideW() + "), padding (" + spec.padH() + ", " + spec.padW() + "))";
        if (input.rank() != 4) {
            throw new BackendException(what.get() + ": input must have rank 4 [batch, channels, height, width]");
        }
        if (filter.rank() != 4) {
            throw new BackendException(what.get() + ": filter must have rank 4 [outChannels, inChannels, height, width]");
        }
        int c = input.dim(1);
        if (filter.dim(1) != c) {
            throw new BackendException(what.get() + ": filter has " + filter.dim(1) + " input channels, input has " + c);
        }
        // in long: 2 * pad alone can pass int
        long paddedH = input.dim(2) + 2L * spec.padH(), paddedW = input.dim(3) + 2L * spec.padW();
        if (paddedH > Integer.MAX_VALUE || paddedW > Integer.MAX_VALUE) {
            throw new BackendException(what.get() + ": the padded input " + paddedH + "x" + paddedW
                    + " is larger than " + Integer.MAX_VALUE + " along an axis");
        }
        int r = filter.dim(2), s = filter.dim(3);
        if (r > paddedH || s > paddedW) {
            throw new BackendException(what.get() + ": filter " + r + "x" + s + " is larger than the padded input "
                    + paddedH + "x" + paddedW);
        }
        if (r == 0 || s == 0) {
            throw new BackendException(what.get() + ": filter height and width must be positive");
        }
        int outH = (int) ((paddedH - r) / spec.strideH() + 1);
        int outW = (int) ((paddedW - s) / spec.strideW() + 1);
        Sizes.elements(() -> what.get() + ": the output", input.dim(0), filter.dim(0), outH, outW);
        return new Conv2dGeometry(input.dim(0), c, input.dim(2), input.dim(3), filter.dim(0), r, s, outH, outW, spec);
    }

    public Shape inputShape() {
        return Shape.of(n, c, h, w);
    }

    public Shape filterShape() {
        return Shape.of(k, c, r, s);
    }

    public Shape outputShape() {
        return Shape.of(n, k, outH, outW);
    }

    /**
     * The floats of one image with its zero border, {@code c * (h + 2 padH) * (w + 2 padW)}:
     * a fast path that copies an image into such a buffer asks here, which fails naming
     * {@code op} and the sizes when that is more than an array holds.
     */
    public int paddedImageSize(String op) {
        return Sizes.elements(() -> op + ": one zero-bordered image of input" + inputShape() + " with padding ("
                + spec.padH() + ", " + spec.padW() + ")", c, h + 2L * spec.padH(), w + 2L * spec.padW());
    }

    /** The floats of one image's patch matrix, {@code c * r * s * outH * outW}; fails as {@link #paddedImageSize}. */
    public int patchMatrixSize(String op) {
        return Sizes.elements(() -> op + ": the patch matrix [c*r*s, outH*outW] of input" + inputShape() + " and filter"
                + filterShape(), c, r, s, outH, outW);
    }

    /** Multiply-adds of the forward pass times two (each backward pass costs the same). */
    public double flops() {
        return 2.0 * n * k * outH * outW * c * r * s;
    }
}

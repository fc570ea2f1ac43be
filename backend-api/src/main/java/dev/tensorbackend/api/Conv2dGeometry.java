package dev.tensorbackend.api;

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
        String what = op + "(input" + input + ", filter" + filter + ", stride (" + spec.strideH() + ", "
                + spec.strideW() + "), padding (" + spec.padH() + ", " + spec.padW() + "))";
        if (input.rank() != 4) {
            throw new BackendException(what + ": input must have rank 4 [batch, channels, height, width]");
        }
        if (filter.rank() != 4) {
            throw new BackendException(what + ": filter must have rank 4 [outChannels, inChannels, height, width]");
        }
        int c = input.dim(1);
        if (filter.dim(1) != c) {
            throw new BackendException(what + ": filter has " + filter.dim(1) + " input channels, input has " + c);
        }
        int paddedH = input.dim(2) + 2 * spec.padH(), paddedW = input.dim(3) + 2 * spec.padW();
        int r = filter.dim(2), s = filter.dim(3);
        if (r > paddedH || s > paddedW) {
            throw new BackendException(what + ": filter " + r + "x" + s + " is larger than the padded input "
                    + paddedH + "x" + paddedW);
        }
        if (r == 0 || s == 0) {
            throw new BackendException(what + ": filter height and width must be positive");
        }
        int outH = (paddedH - r) / spec.strideH() + 1;
        int outW = (paddedW - s) / spec.strideW() + 1;
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

    /** Multiply-adds of the forward pass times two (each backward pass costs the same). */
    public double flops() {
        return 2.0 * n * k * outH * outW * c * r * s;
    }
}

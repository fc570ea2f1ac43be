package dev.tensorbackend.api;

/** Stride and zero padding of a 2-D convolution, per spatial axis. */
public record ConvSpec(int strideH, int strideW, int padH, int padW) {

    public ConvSpec {
        if (strideH <= 0 || strideW <= 0) {
            throw new BackendException("conv2d: stride must be positive, got (" + strideH + ", " + strideW + ")");
        }
        if (padH < 0 || padW < 0) {
            throw new BackendException("conv2d: padding must not be negative, got (" + padH + ", " + padW + ")");
        }
    }

    /** The same stride and padding on both axes. */
    public static ConvSpec of(int stride, int pad) {
        return new ConvSpec(stride, stride, pad, pad);
    }
}

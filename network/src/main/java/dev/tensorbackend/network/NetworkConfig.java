package dev.tensorbackend.network;

/**
 * The sizes of the network: a single-channel input of {@code inputHeight x inputWidth}, a
 * {@code filterSize x filterSize} convolution with {@code stride} and no padding whose output
 * rows are the {@code tokens} and whose columns are the {@code modelWidth}, self-attention over
 * those tokens, and a dense layer from {@code tokens * modelWidth} values to one output; all for
 * {@code batch} examples at once.
 */
public record NetworkConfig(int inputHeight, int inputWidth, int filterSize, int stride,
                            int tokens, int modelWidth, int batch) {

    public NetworkConfig {
        if (inputHeight <= 0 || inputWidth <= 0 || filterSize <= 0 || stride <= 0 || batch <= 0) {
            throw new IllegalArgumentException("network: sizes must be positive: " + describe(
                    inputHeight, inputWidth, filterSize, stride, tokens, modelWidth, batch));
        }
        int outH = filterSize > inputHeight ? 0 : (inputHeight - filterSize) / stride + 1;
        int outW = filterSize > inputWidth ? 0 : (inputWidth - filterSize) / stride + 1;
        if (outH != tokens || outW != modelWidth || tokens == 0 || modelWidth == 0) {
            throw new IllegalArgumentException("network: a " + filterSize + "x" + filterSize + " convolution with stride "
                    + stride + " turns a " + inputHeight + "x" + inputWidth + " input into " + outH + "x" + outW
                    + ", not tokens x modelWidth = " + tokens + "x" + modelWidth);
        }
    }

    /** The documented example: 4x4 input, 2x2 filter, stride 2, two tokens of width 2, one example. */
    public static NetworkConfig documented() {
        return new NetworkConfig(4, 4, 2, 2, 2, 2, 1);
    }

    /** The input size that gives {@code tokens x modelWidth} after the convolution. */
    public static NetworkConfig scaled(int tokens, int modelWidth, int filterSize, int stride, int batch) {
        return new NetworkConfig((tokens - 1) * stride + filterSize, (modelWidth - 1) * stride + filterSize,
                filterSize, stride, tokens, modelWidth, batch);
    }

    @Override
    public String toString() {
        return describe(inputHeight, inputWidth, filterSize, stride, tokens, modelWidth, batch);
    }

    private static String describe(int h, int w, int f, int s, int t, int d, int b) {
        return "input " + h + "x" + w + ", filter " + f + "x" + f + " stride " + s + ", tokens " + t
                + ", model width " + d + ", batch " + b;
    }
}

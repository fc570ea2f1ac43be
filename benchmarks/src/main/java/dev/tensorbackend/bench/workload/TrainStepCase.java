package dev.tensorbackend.bench.workload;

/**
 * A configuration of the network whose training step (forward, backward, SGD) is measured:
 * {@code documented} is the 4x4 network of the documented pass; the others are
 * {@code NetworkConfig.scaled(tokens, modelWidth, filterSize, stride, batch)} sizes.
 *
 * <p>The work counted is the multiply-adds of the forward pass times three, the usual
 * convention for a training step (the backward pass costs about twice the forward):
 * per sample the convolution (tokens x width outputs, filter^2 taps), the Q, K and V
 * projections (3 x tokens x width x width), the scores Q K^T and the output A V
 * (2 x tokens^2 x width) and the dense layer (tokens x width).
 */
public record TrainStepCase(String label, int tokens, int modelWidth, int filterSize, int stride, int batch) {

    public static final String OP = "training step";

    public static TrainStepCase parse(String label) {
        switch (label) {
            case "documented":
                return new TrainStepCase(label, 2, 2, 2, 2, 1);
            case "small":
                return new TrainStepCase(label, 64, 32, 2, 2, 8);
            case "large":
                return new TrainStepCase(label, 512, 64, 2, 2, 32);
            default:
                throw new IllegalArgumentException("training-step case '" + label + "': known are documented, small, large");
        }
    }

    public boolean isDocumented() {
        return label.equals("documented");
    }

    public Work work() {
        double t = tokens;
        double d = modelWidth;
        double multiplyAdds = t * d * filterSize * filterSize
                + 3 * t * d * d
                + 2 * t * t * d
                + t * d;
        return Work.flops(3 * 2 * multiplyAdds * batch);
    }

    public String shapeText() {
        return "tokens " + tokens + ", width " + modelWidth + ", filter " + filterSize
                + ", stride " + stride + ", batch " + batch;
    }
}

package dev.tensorbackend.bench.workload;

import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;

/**
 * A 2-D convolution the benchmarks run, by name: {@code documented} is the network's own
 * (input [1,1,4,4], filter [1,1,2,2], stride 2); {@code mid} is batch 8, 16 -> 32 channels,
 * 64x64, 3x3, stride 1, padding 1, and {@code mid-b1} the same layer on one image (small batch:
 * each product is split over the threads instead of whole images handed out); {@code large}
 * is batch 32, 64 -> 64 channels, 56x56, 3x3, stride 1, padding 1 (a ResNet stage).
 */
public record ConvCase(String label, Shape input, Shape filter, ConvSpec spec) {

    public static final String FORWARD = "conv2d forward";
    public static final String BACKWARD_INPUT = "conv2d backward-input";
    public static final String BACKWARD_FILTER = "conv2d backward-filter";

    public static ConvCase parse(String label) {
        switch (label) {
            case "documented":
                return new ConvCase(label, Shape.of(1, 1, 4, 4), Shape.of(1, 1, 2, 2), ConvSpec.of(2, 0));
            case "mid":
                return new ConvCase(label, Shape.of(8, 16, 64, 64), Shape.of(32, 16, 3, 3), ConvSpec.of(1, 1));
            case "mid-b1":
                return new ConvCase(label, Shape.of(1, 16, 64, 64), Shape.of(32, 16, 3, 3), ConvSpec.of(1, 1));
            case "large":
                return new ConvCase(label, Shape.of(32, 64, 56, 56), Shape.of(64, 64, 3, 3), ConvSpec.of(1, 1));
            case "train-large": // the large training network's own layer: one channel, 2x2, stride 2
                return new ConvCase(label, Shape.of(32, 1, 1024, 128), Shape.of(1, 1, 2, 2), ConvSpec.of(2, 0));
            default:
                throw new IllegalArgumentException("conv2d case '" + label + "': known are documented, mid, mid-b1, large, train-large");
        }
    }

    public Shape output() {
        int outH = (input.dim(2) + 2 * spec.padH() - filter.dim(2)) / spec.strideH() + 1;
        int outW = (input.dim(3) + 2 * spec.padW() - filter.dim(3)) / spec.strideW() + 1;
        return Shape.of(input.dim(0), filter.dim(0), outH, outW);
    }

    /**
     * Each of the three passes does one multiply-add per output element per filter tap:
     * forward sums over the taps, the two backward passes scatter the same products.
     */
    public Work work() {
        Shape out = output();
        double taps = (double) filter.dim(1) * filter.dim(2) * filter.dim(3);
        return Work.flops(2.0 * out.size() * taps);
    }

    public String shapeText() {
        return "in " + Workloads.dims(input) + " f " + Workloads.dims(filter)
                + " s" + spec.strideH() + " p" + spec.padH();
    }
}

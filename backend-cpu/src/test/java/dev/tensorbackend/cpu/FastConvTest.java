package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** im2col convolution and both gradients against the reference loops; error bounds in {@link ErrorBound}. */
class FastConvTest {

    private record Case(Shape input, Shape filter, ConvSpec spec) {
        Conv2dGeometry geometry() {
            return Conv2dGeometry.of("test", input, filter, spec);
        }
    }

    private static Case conv(int n, int c, int h, int w, int k, int r, int s, ConvSpec spec) {
        return new Case(Shape.of(n, c, h, w), Shape.of(k, c, r, s), spec);
    }

    private static final List<Case> CASES = List.of(
            conv(2, 3, 7, 9, 4, 3, 3, ConvSpec.of(1, 1)),
            conv(3, 2, 8, 7, 5, 3, 2, new ConvSpec(2, 1, 0, 2)),     // unequal strides and paddings
            conv(2, 3, 9, 9, 4, 3, 3, ConvSpec.of(3, 2)),            // stride 3 skips input columns
            conv(1, 1, 1, 1, 1, 1, 1, ConvSpec.of(1, 0)),
            conv(2, 4, 6, 5, 3, 1, 1, ConvSpec.of(1, 0)),            // 1x1: the image is the patch matrix
            conv(2, 4, 6, 5, 3, 1, 1, ConvSpec.of(2, 1)),            // 1x1 with stride and padding: copied
            conv(1, 2, 5, 5, 2, 5, 5, ConvSpec.of(1, 0)),            // filter as large as the image
            conv(1, 2, 2, 3, 3, 4, 4, ConvSpec.of(1, 2)),            // filter wider than the image, padding covers it
            conv(2, 2, 3, 3, 2, 2, 2, ConvSpec.of(1, 2)),            // padding >= filter: input gradient by col2im
            conv(2, 3, 1, 40, 2, 1, 3, new ConvSpec(1, 1, 0, 1)),    // one row: patches run across whole rows
            conv(3, 1, 16, 10, 1, 2, 2, ConvSpec.of(2, 0)),          // the networks' layer: a small filter, direct
            conv(2, 2, 9, 11, 3, 3, 3, new ConvSpec(2, 2, 1, 1)),     // 54 filter entries, direct, padded
            conv(2, 3, 5, 64, 9, 3, 3, ConvSpec.of(1, 1)),           // rows of 64: every sliver read in place
            conv(1, 2, 6, 40, 3, 3, 2, ConvSpec.of(1, 1)),           // rows of 41: slivers in place and copied mixed
            conv(4, 16, 20, 20, 32, 3, 3, ConvSpec.of(1, 1)),        // more images than threads
            conv(2, 8, 48, 48, 32, 3, 3, ConvSpec.of(1, 1)),         // fewer images than threads: each GEMM split
            conv(2, 3, 40, 31, 40, 3, 3, ConvSpec.of(1, 1)),         // filter gradient: 1240 positions cross a block, k 40 two slivers
            conv(2, 5, 11, 30, 7, 3, 3, new ConvSpec(1, 1, 0, 2)),   // 3x3 filter gradient along positions: rows of 32, k 7 (a last tile of one)
            conv(1, 2, 4, 16, 5, 3, 3, new ConvSpec(1, 1, 2, 1)),    // the same with rows of 16, k 5 (a last tile of two)
            conv(1, 5, 33, 30, 9, 3, 2, new ConvSpec(2, 3, 1, 0)),   // strided positions, 30 taps: a partial tap tile
            conv(0, 2, 4, 4, 3, 3, 3, ConvSpec.of(1, 1)),            // empty batch
            conv(2, 0, 4, 4, 3, 3, 3, ConvSpec.of(1, 1)),            // no input channels
            conv(2, 2, 4, 4, 0, 3, 3, ConvSpec.of(1, 1)),            // no output channels
            conv(2, 2, 0, 3, 3, 3, 3, ConvSpec.of(1, 2)));           // empty image rows, the padding makes outputs

    /** Each case through the paths it takes, and again with small filters sent down the GEMM paths too. */
    @Test
    void forwardAndBothGradientsMatchTheReference() {
        Random rnd = new Random(11);
        for (FastKernels kernels : TestKernels.both()) {
            for (CpuPool pool : List.of(TestKernels.ONE_THREAD, TestKernels.THREE_THREADS)) {
                for (int directFilterMax : new int[] {FastConv.DIRECT_FILTER_MAX, 0}) {
                    FastConv fast = new FastConv(new Gemm(kernels, pool), Scratch.DEFAULT_CAP_FLOATS, OutputArrays.NEW, directFilterMax);
                    for (Case c : CASES) {
                        check(fast, rnd, c, kernels.name() + " " + pool.threads() + " threads, direct up to " + directFilterMax + " " + c);
                    }
                }
            }
        }
    }

    @Test
    void resultsRepeatBitForBitAndDoNotDependOnTheThreadCount() {
        Random rnd = new Random(5);
        // stride 1 along rows (in-place slivers), stride 2 (packed), one image (each product split over threads),
        // small filters (direct, with and without padding)
        for (Case c : List.of(conv(5, 6, 13, 70, 7, 3, 3, ConvSpec.of(1, 1)), conv(5, 6, 13, 11, 7, 3, 3, new ConvSpec(1, 2, 1, 1)),
                conv(1, 6, 13, 70, 9, 3, 3, ConvSpec.of(1, 1)),
                conv(5, 1, 16, 10, 1, 2, 2, ConvSpec.of(2, 0)),            // small filters: convolved directly
                conv(5, 2, 9, 11, 3, 3, 3, new ConvSpec(2, 1, 1, 2)),
                conv(1, 4, 9, 30, 5, 3, 3, new ConvSpec(1, 1, 0, 2)))) {   // 3x3 along positions, one image: tiles split over threads
            Conv2dGeometry g = c.geometry();
            float[] in = ErrorBound.random(rnd, c.input().size()), f = ErrorBound.random(rnd, c.filter().size());
            float[] dOut = ErrorBound.random(rnd, g.outputShape().size());
            for (FastKernels kernels : TestKernels.both()) {
                FastConv threaded = new FastConv(new Gemm(kernels, TestKernels.THREE_THREADS));
                FastConv single = new FastConv(new Gemm(kernels, TestKernels.ONE_THREAD));
                float[][] first = {threaded.forward(in, f, g), threaded.backwardInput(dOut, f, g), threaded.backwardFilter(in, dOut, g)};
                for (FastConv conv : List.of(threaded, single)) {
                    String who = kernels.name() + " " + c + " " + (conv == single ? "1 thread" : "3 threads, repeated");
                    assertArrayEquals(first[0], conv.forward(in, f, g), who + ": forward");
                    assertArrayEquals(first[1], conv.backwardInput(dOut, f, g), who + ": backwardInput");
                    assertArrayEquals(first[2], conv.backwardFilter(in, dOut, g), who + ": backwardFilter");
                }
            }
        }
    }

    private static void check(FastConv fast, Random rnd, Case c, String what) {
        Conv2dGeometry g = c.geometry();
        float[] in = ErrorBound.random(rnd, c.input().size()), f = ErrorBound.random(rnd, c.filter().size());
        float[] dOut = ErrorBound.random(rnd, g.outputShape().size());
        float[] absIn = ErrorBound.abs(in), absF = ErrorBound.abs(f), absDOut = ErrorBound.abs(dOut);
        int taps = g.r() * g.s();
        // forward: c*r*s products per output
        ErrorBound.assertWithin(what + " forward", ReferenceKernels.conv2d(in, f, g), fast.forward(in, f, g),
                ReferenceKernels.conv2d(absIn, absF, g), (double) g.c() * taps);
        // input gradient: k*r*s products per patch entry, then up to r*s entries added per input
        ErrorBound.assertWithin(what + " backwardInput", ReferenceKernels.conv2dGradInput(dOut, f, g),
                fast.backwardInput(dOut, f, g), ReferenceKernels.conv2dGradInput(absDOut, absF, g), (double) g.k() * taps + taps);
        // filter gradient: outH*outW products per image, then one addition per image
        ErrorBound.assertWithin(what + " backwardFilter", ReferenceKernels.conv2dGradFilter(in, dOut, g),
                fast.backwardFilter(in, dOut, g), ReferenceKernels.conv2dGradFilter(absIn, absDOut, g),
                (double) g.outH() * g.outW() + g.n());
    }
}

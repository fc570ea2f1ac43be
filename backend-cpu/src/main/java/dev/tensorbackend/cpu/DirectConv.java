package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Conv2dGeometry;

import java.util.Arrays;

/**
 * A convolution and its two gradients for a filter of at most {@link FastConv#DIRECT_FILTER_MAX}
 * entries, one image at a time, tap by tap, straight from the arrays. As a GEMM such a filter
 * is a product a few rows high, padded to a whole micro-tile, behind a patch matrix copied
 * from a bordered copy of the image first: the small training network's single-channel 2x2
 * layer (8 images of 128x64, stride 2; 65,536 multiply-adds a pass) took 50 us forward and
 * 40 us for the input gradient that way, 25 and 29 us this way (one process, 2 threads).
 *
 * <p>Taps that fall on the zero padding are skipped, as in the reference loops. Each term is
 * one fma onto its sum, in filter order (output channel, input channel, row, column): the
 * forward pass adds an output's taps in the order the GEMM path does, from zero, so where no
 * tap falls on the padding (which that path multiplies by zero) its results are the same
 * bits; the input gradient adds each term straight onto the input
 * position (the GEMM path first sums a patch entry over the output channels), so it may
 * differ from that path in the last bits, and depends only on the filter's order, not on the
 * thread count.
 */
final class DirectConv {
    private DirectConv() {
    }

    /** Image b of the forward pass into {@code out}, which it overwrites. */
    static void forward(float[] in, float[] filter, Conv2dGeometry g, int b, float[] out) {
        int p = g.outH() * g.outW(), outOff = b * g.k() * p, sw = g.spec().strideW();
        Arrays.fill(out, outOff, outOff + g.k() * p, 0f);
        for (int o = 0, t = 0; o < g.k(); o++) {
            for (int ch = 0; ch < g.c(); ch++) {
                for (int i = 0; i < g.r(); i++) {
                    for (int j = 0; j < g.s(); j++, t++) {
                        float w = filter[t];
                        int xLo = firstColumn(g, j), xHi = endColumn(g, j);
                        for (int y = 0; y < g.outH(); y++) {
                            int src = inputIndex(g, b, ch, i, j, y, xLo);
                            for (int x = xLo, dst = outOff + o * p + y * g.outW(); src >= 0 && x < xHi; x++, src += sw) {
                                out[dst + x] = Math.fma(w, in[src], out[dst + x]);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Image b's input gradient added onto {@code gradIn} (zero where no tap reads the input):
     * the forward pass's loops with the roles of input and output swapped. Written out twice
     * on purpose: one loop for both, choosing the roles by a flag, made the forward pass slower
     * (small network layer, one process, 5 launches each, alternating: 26-41 against 25-30 us;
     * the input gradient 31-48 against 29-43).
     */
    static void backwardInput(float[] gradOut, float[] filter, Conv2dGeometry g, int b, float[] gradIn) {
        int p = g.outH() * g.outW(), dOutOff = b * g.k() * p, sw = g.spec().strideW();
        for (int o = 0, t = 0; o < g.k(); o++) {
            for (int ch = 0; ch < g.c(); ch++) {
                for (int i = 0; i < g.r(); i++) {
                    for (int j = 0; j < g.s(); j++, t++) {
                        float w = filter[t];
                        int xLo = firstColumn(g, j), xHi = endColumn(g, j);
                        for (int y = 0; y < g.outH(); y++) {
                            int dst = inputIndex(g, b, ch, i, j, y, xLo);
                            for (int x = xLo, src = dOutOff + o * p + y * g.outW(); dst >= 0 && x < xHi; x++, dst += sw) {
                                gradIn[dst] = Math.fma(w, gradOut[src + x], gradIn[dst]);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * Image b's filter gradient added onto {@code out} from {@code outOff} (entries in filter
     * order): each entry a dot product of the output gradient with the input its tap reads,
     * in four running sums, since one chain of fmas would wait on each one's latency.
     */
    static void filterGradient(float[] in, float[] gradOut, Conv2dGeometry g, int b, float[] out, int outOff) {
        int p = g.outH() * g.outW(), dOutOff = b * g.k() * p, sw = g.spec().strideW();
        for (int o = 0, t = 0; o < g.k(); o++) {
            for (int ch = 0; ch < g.c(); ch++) {
                for (int i = 0; i < g.r(); i++) {
                    for (int j = 0; j < g.s(); j++, t++) {
                        int xLo = firstColumn(g, j), xHi = endColumn(g, j);
                        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                        for (int y = 0; y < g.outH(); y++) {
                            int src = inputIndex(g, b, ch, i, j, y, xLo);
                            if (src < 0) {
                                continue;
                            }
                            int q = dOutOff + o * p + y * g.outW(), x = xLo;
                            for (; x + 4 <= xHi; x += 4, src += 4 * sw) {
                                s0 = Math.fma(gradOut[q + x], in[src], s0);
                                s1 = Math.fma(gradOut[q + x + 1], in[src + sw], s1);
                                s2 = Math.fma(gradOut[q + x + 2], in[src + 2 * sw], s2);
                                s3 = Math.fma(gradOut[q + x + 3], in[src + 3 * sw], s3);
                            }
                            for (; x < xHi; x++, src += sw) {
                                s0 = Math.fma(gradOut[q + x], in[src], s0);
                            }
                        }
                        out[outOff + t] += (s0 + s1) + (s2 + s3);
                    }
                }
            }
        }
    }

    /** The first output column whose tap in filter column j is not left of the image. */
    private static int firstColumn(Conv2dGeometry g, int j) {
        return FastConv.firstInside(j - g.spec().padW(), g.spec().strideW());
    }

    /** One past the last output column whose tap in filter column j is inside the image. */
    private static int endColumn(Conv2dGeometry g, int j) {
        return FastConv.lastInsideExclusive(j - g.spec().padW(), g.spec().strideW(), g.w(), g.outW());
    }

    /** The input index tap (ch, i, j) of image b reads at output (y, x), or -1 where its input row is outside the image. */
    private static int inputIndex(Conv2dGeometry g, int b, int ch, int i, int j, int y, int x) {
        int iy = y * g.spec().strideH() - g.spec().padH() + i;
        if (iy < 0 || iy >= g.h()) {
            return -1;
        }
        return ((b * g.c() + ch) * g.h() + iy) * g.w() + x * g.spec().strideW() + j - g.spec().padW();
    }
}

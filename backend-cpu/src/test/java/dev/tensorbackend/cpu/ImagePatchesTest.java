package dev.tensorbackend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

/**
 * The patch matrix as a GEMM panel ({@link ImagePatches#packPanel}) against the im2col
 * definition written out plainly: every sliver, packed or read in place, at every column
 * block start, including blocks that start inside an output row and end in a partial sliver.
 */
class ImagePatchesTest {

    static Stream<Arguments> geometries() {
        return Stream.of(
                // c, h, w, r, s, spec
                Arguments.of(2, 6, 40, 3, 3, ConvSpec.of(1, 1)),           // rows of 40: in-place and copied slivers
                Arguments.of(1, 5, 64, 3, 3, ConvSpec.of(1, 1)),           // rows of 64: every sliver in place
                Arguments.of(2, 9, 11, 3, 2, new ConvSpec(2, 3, 1, 0)),    // strided: every sliver copied, runs cut at rows
                Arguments.of(3, 4, 5, 1, 1, ConvSpec.of(1, 0)));           // 1x1: runs continue across output rows
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void panelsHoldThePatchMatrix(int c, int h, int w, int r, int s, ConvSpec spec) {
        Conv2dGeometry g = Conv2dGeometry.of("test", Shape.of(2, c, h, w), Shape.of(1, c, r, s), spec);
        float[] in = new float[2 * c * h * w];
        for (int i = 0; i < in.length; i++) {
            in[i] = i + 1; // distinct, so a value read from the wrong place shows
        }
        int nr = 32, taps = c * r * s, positions = g.outH() * g.outW(), b = 1;
        ImagePatches patches = ImagePatches.of("test", in, b, g, new Scratch(Scratch.DEFAULT_CAP_FLOATS));
        BPanel panel = new BPanel();
        for (int jc : new int[] {0, 7, nr + 3}) {
            int ncur = positions - jc;
            patches.packPanel(0, jc, taps, ncur, nr, panel.prepare(taps, ncur, nr));
            for (int p = 0; p < taps; p++) {
                for (int q = 0; q < ncur; q++) {
                    assertEquals(im2col(in, b, g, p, jc + q), panelValue(panel, taps, nr, p, q),
                            "tap " + p + ", position " + (jc + q) + ", block from " + jc);
                }
            }
        }
        int[] runTo = panel.runTo;
        patches.packPanel(0, 0, taps, positions, nr, panel.prepare(taps, positions, nr));
        assertSame(runTo, panel.runTo, "packing again reuses the run tables");
    }

    private static float panelValue(BPanel panel, int kc, int nr, int p, int q) {
        int sliver = q / nr, j = q % nr;
        int at = panel.sliverOffset[sliver];
        return at == BPanel.PACKED ? panel.packed[sliver * nr * kc + p * nr + j] : panel.source[at + panel.sourceRows[p] + j];
    }

    /** Row {@code tap} (channel, i, j), column {@code q} (y, x) of image b's patch matrix, zero outside the image. */
    private static float im2col(float[] in, int b, Conv2dGeometry g, int tap, int q) {
        int ch = tap / (g.r() * g.s()), i = tap / g.s() % g.r(), j = tap % g.s();
        int y = q / g.outW() * g.spec().strideH() - g.spec().padH() + i;
        int x = q % g.outW() * g.spec().strideW() - g.spec().padW() + j;
        if (y < 0 || y >= g.h() || x < 0 || x >= g.w()) {
            return 0f;
        }
        return in[((b * g.c() + ch) * g.h() + y) * g.w() + x];
    }
}

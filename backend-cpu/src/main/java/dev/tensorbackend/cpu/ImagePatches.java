package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Conv2dGeometry;

import java.util.Arrays;

/**
 * One image's im2col matrix {@code [c*r*s, outH*outW]}, never built: row (ch, i, j) holds,
 * for each output position, the input value filter tap (i, j) of channel ch meets there (0
 * in the padding), and {@link #packPanel} copies those values straight from the image into
 * GEMM panels. That saves writing and re-reading a matrix r*s times the image's size.
 *
 * @param image     the batch of input images, NCHW
 * @param imageOff  where this image starts
 * @param firstCol  the output position that is column 0 (after {@link #shiftedColumns})
 */
record ImagePatches(float[] image, int imageOff, Conv2dGeometry g, int firstCol) implements PanelSource {

    @Override
    public PanelSource shiftedColumns(int cols) {
        return new ImagePatches(image, imageOff, g, firstCol + cols);
    }

    @Override
    public void packPanel(int pc, int jc, int kc, int ncur, int nr, float[] dst) {
        int rs = g.r() * g.s(), outW = g.outW(), plane = g.h() * g.w();
        int sh = g.spec().strideH(), sw = g.spec().strideW();
        for (int t = 0; t * nr < ncur; t++) {
            int base = t * nr * kc, cols = Math.min(nr, ncur - t * nr), pos0 = firstCol + jc + t * nr;
            for (int p = 0; p < kc; p++) {
                int row = pc + p, ch = row / rs, i = row % rs / g.s(), j = row % g.s();
                int src = imageOff + ch * plane, out = base + p * nr;
                // the sliver's positions, one output row (y) at a time
                for (int q = 0; q < cols; ) {
                    int pos = pos0 + q, y = pos / outW, x0 = pos % outW;
                    int run = Math.min(cols - q, outW - x0);
                    int iy = y * sh - g.spec().padH() + i, shift = j - g.spec().padW();
                    if (iy < 0 || iy >= g.h()) {
                        Arrays.fill(dst, out + q, out + q + run, 0f);
                    } else {
                        // x in [x0, x0+run) reads column x * sw + shift, inside the image for x in [lo, hi)
                        int lo = Math.max(x0, shift >= 0 ? 0 : (-shift + sw - 1) / sw);
                        int hi = Math.min(x0 + run, g.w() - 1 - shift < 0 ? 0 : (g.w() - 1 - shift) / sw + 1);
                        if (lo >= hi) {
                            Arrays.fill(dst, out + q, out + q + run, 0f);
                        } else {
                            Arrays.fill(dst, out + q, out + q + lo - x0, 0f);
                            int from = src + iy * g.w() + lo * sw + shift, to = out + q + lo - x0;
                            if (sw == 1) {
                                System.arraycopy(image, from, dst, to, hi - lo);
                            } else {
                                for (int x = lo; x < hi; x++, from += sw) {
                                    dst[to++] = image[from];
                                }
                            }
                            Arrays.fill(dst, out + q + hi - x0, out + q + run, 0f);
                        }
                    }
                    q += run;
                }
                Arrays.fill(dst, out + cols, out + nr, 0f);
            }
        }
    }
}

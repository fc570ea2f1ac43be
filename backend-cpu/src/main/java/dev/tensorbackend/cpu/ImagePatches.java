package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Conv2dGeometry;

import java.util.Arrays;

/**
 * One image's im2col matrix {@code [c*r*s, outH*outW]}, never built: row (ch, i, j) holds,
 * for each output position (y, x), the input value that filter tap (i, j) of channel ch
 * meets there. As a GEMM's B ({@link #packPanel}, forward) it hands those values over straight
 * from the image, and the filter gradient reads them in place ({@link #tapOffset(Conv2dGeometry, int)},
 * {@link #positionOffsets}), which saves writing and re-reading a matrix r*s times the size of
 * the image. The image is first copied once into a zero-bordered buffer ({@link #of}), so that
 * every tap reads without a bounds test; with stride 1 a sliver's values along one output
 * row are consecutive there, so such slivers are not even copied (see {@link BPanel}).
 *
 * @param padded     the image with its zero border: channel ch, row yy, column xx at
 *                   {@code (ch * hp + yy) * wp + xx}
 * @param hp         padded height
 * @param wp         padded width
 * @param g          the convolution
 * @param firstCol   the output position that is column 0 (after {@link #shiftedColumns})
 */
record ImagePatches(float[] padded, int hp, int wp, Conv2dGeometry g, int firstCol)
        implements PanelSource {

    /**
     * Patches of image {@code b} of {@code in}, reading a zero-bordered copy in the calling
     * thread's buffer of {@code scratch}: valid until this thread makes the next one, so other
     * threads may read it while this one waits for them. {@code op} names the call in the
     * error when the bordered image is more than an array holds.
     */
    static ImagePatches of(String op, float[] in, int b, Conv2dGeometry g, Scratch scratch) {
        int size = g.paddedImageSize(op); // checked first: then hp, wp and every offset below fit in int
        int ph = g.spec().padH(), pw = g.spec().padW(), hp = paddedHeight(g), wp = paddedWidth(g);
        float[] padded = scratch.take(size);
        Arrays.fill(padded, 0, size, 0f);
        for (int ch = 0; ch < g.c(); ch++) {
            for (int y = 0; y < g.h(); y++) {
                System.arraycopy(in, ((b * g.c() + ch) * g.h() + y) * g.w(), padded, (ch * hp + y + ph) * wp + pw, g.w());
            }
        }
        return new ImagePatches(padded, hp, wp, g, 0);
    }

    @Override
    public PanelSource shiftedColumns(int cols) {
        return new ImagePatches(padded, hp, wp, g, firstCol + cols);
    }

    private static int paddedHeight(Conv2dGeometry g) {
        return g.h() + 2 * g.spec().padH();
    }

    private static int paddedWidth(Conv2dGeometry g) {
        return g.w() + 2 * g.spec().padW();
    }

    /** Where tap (ch, i, j), numbered {@code (ch * r + i) * s + j}, reads for output position 0. */
    int tapOffset(int tap) {
        return tapOffset(g, tap);
    }

    /**
     * As {@link #tapOffset(int)}, from the geometry alone: the same for every image, so that a
     * caller can make its table once (the geometry's padded image size must have been checked).
     */
    static int tapOffset(Conv2dGeometry g, int tap) {
        int rs = g.r() * g.s();
        return (tap / rs * paddedHeight(g) + tap % rs / g.s()) * paddedWidth(g) + tap % g.s();
    }

    /**
     * Offsets of output positions {@code first .. first+count} from their tap's offset; from the
     * geometry alone, as {@link #tapOffset(Conv2dGeometry, int)}.
     */
    static int[] positionOffsets(Conv2dGeometry g, int first, int count) {
        int sh = g.spec().strideH(), sw = g.spec().strideW(), wp = paddedWidth(g);
        int[] off = new int[count];
        int y = first / g.outW(), x = first % g.outW();
        for (int q = 0; q < count; q++) {
            off[q] = y * sh * wp + x * sw;
            if (++x == g.outW()) {
                x = 0;
                y++;
            }
        }
        return off;
    }

    /**
     * As B (the forward patch matrix). With stride 1, a full sliver whose positions
     * lie in one output row has each of its rows side by side in the padded image: it is
     * read in place. The others are copied, run by run (a run: the sliver's positions within
     * one output row).
     */
    @Override
    public void packPanel(int pc, int jc, int kc, int ncur, int nr, BPanel panel) {
        int sw = g.spec().strideW(), rowStep = g.spec().strideH() * wp, outW = g.outW();
        for (int p = 0; p < kc; p++) {
            panel.sourceRows[p] = tapOffset(pc + p);
        }
        panel.source = padded;
        // the runs of the slivers that must be copied, with where each goes at p = 0 and
        // comes from: the loop over p below then needs no division
        panel.ensureRuns(ncur);
        int[] runTo = panel.runTo, runFrom = panel.runFrom, runLen = panel.runLength;
        int runs = 0;
        // position q's offset from its tap's, stepped along as positionOffsets lays them out
        int y = (firstCol + jc) / outW, x = (firstCol + jc) % outW, off = y * rowStep + x * sw;
        for (int q = 0; q < ncur; ) {
            int start = q, startOff = off, previous;
            do { // extend the run while the next position follows on in the same sliver
                previous = off;
                q++;
                if (++x == outW) {
                    x = 0;
                    y++;
                }
                off = y * rowStep + x * sw;
            } while (q < ncur && q % nr != 0 && off == previous + sw);
            if (sw == 1 && start % nr == 0 && q - start == nr) {
                panel.sliverOffset[start / nr] = startOff;
            } else {
                runTo[runs] = start / nr * nr * kc + start % nr;
                runFrom[runs] = startOff;
                runLen[runs++] = q - start;
            }
        }
        float[] dst = panel.packed;
        int lastCols = ncur - (ncur - 1) / nr * nr, lastBase = (ncur - 1) / nr * nr * kc;
        for (int p = 0; runs > 0 && p < kc; p++) {
            int tap = panel.sourceRows[p], row = p * nr;
            for (int run = 0; run < runs; run++) {
                int to = runTo[run] + row, from = tap + runFrom[run], len = runLen[run];
                if (sw == 1) {
                    System.arraycopy(padded, from, dst, to, len);
                } else {
                    for (int e = 0; e < len; e++, from += sw) {
                        dst[to + e] = padded[from];
                    }
                }
            }
            if (lastCols < nr) {
                Arrays.fill(dst, lastBase + row + lastCols, lastBase + row + nr, 0f);
            }
        }
    }
}

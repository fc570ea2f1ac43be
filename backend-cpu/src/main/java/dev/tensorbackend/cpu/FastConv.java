package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Sizes;

import java.util.Arrays;
import java.util.function.IntConsumer;

/**
 * 2-D convolution and its two gradients, mostly as GEMMs over im2col matrices. Per image b, with
 * {@code col_b} the {@code [c*r*s, outH*outW]} matrix of input patches:
 * <ul>
 *   <li>forward: {@code out_b = filter[k, crs] x col_b}, col_b packed straight from the
 *       image ({@link ImagePatches});</li>
 *   <li>input gradient: with stride 1 a forward convolution of dOut (see
 *       {@link #backwardInputAsConvolution}); else {@code dcol_b = filter^T x dOut_b},
 *       scattered back by col2im;</li>
 *   <li>filter gradient: {@code dFilter = sum over b of dOut_b x col_b^T}, as micro-tiles
 *       that read col_b in place from the image (see {@link #filterGradientByTaps}); for 3 x 3
 *       filters at stride 1, dot products along the output positions instead
 *       ({@link #filterGradient3x3}).</li>
 * </ul>
 * Filters of at most {@link #DIRECT_FILTER_MAX} entries skip the GEMMs: all three passes go
 * tap by tap ({@link DirectConv}).
 * Images go to threads whole when there are enough of them, else each image's GEMM is
 * split; either way an image's numbers come out the same (see {@link Gemm}), and the
 * filter gradient adds the per-image products in image order, so results do not depend on
 * the thread count.
 */
final class FastConv {
    private final OutputArrays outputs;
    /**
     * Filters of up to this many entries (fewer than one micro-tile's 8 x 32) are convolved
     * directly, tap by tap ({@link DirectConv}).
     */
    static final int DIRECT_FILTER_MAX = 64;
    /** Output positions per block of the filter gradient (see {@link #filterGradientByTaps}). */
    static final int POSITION_BLOCK = 1024;
    private final Gemm gemm;
    private final CpuPool pool;
    /** {@link #DIRECT_FILTER_MAX}, but for tests. */
    private final int directFilterMax;
    /** Per-thread zero-bordered image copies ({@link ImagePatches}). */
    private final Scratch images;
    /** Per-thread patch-gradient matrices of the strided input gradient. */
    private final Scratch patchGradients;
    /** Per-thread output gradients transposed into slivers, for the filter gradient. */
    private final Scratch gradientSlivers;

    FastConv(Gemm gemm) {
        this(gemm, Scratch.DEFAULT_CAP_FLOATS);
    }

    /** Scratch buffers up to {@code scratchCapFloats} per thread and kind are kept between calls. */
    FastConv(Gemm gemm, int scratchCapFloats) {
        this(gemm, scratchCapFloats, OutputArrays.NEW);
    }

    /** Results go into arrays from {@code outputs}. */
    FastConv(Gemm gemm, int scratchCapFloats, OutputArrays outputs) {
        this(gemm, scratchCapFloats, outputs, DIRECT_FILTER_MAX);
    }

    /** Filters of at most {@code directFilterMax} entries convolved directly (tests give 0 to reach the GEMM paths with any filter). */
    FastConv(Gemm gemm, int scratchCapFloats, OutputArrays outputs, int directFilterMax) {
        this.directFilterMax = directFilterMax;
        this.gemm = gemm;
        this.outputs = outputs;
        this.pool = gemm.pool();
        this.images = new Scratch(scratchCapFloats);
        this.patchGradients = new Scratch(scratchCapFloats);
        this.gradientSlivers = new Scratch(scratchCapFloats);
    }

    /** Bytes of scratch kept between calls now. */
    long retainedScratchBytes() {
        return images.retainedBytes() + patchGradients.retainedBytes() + gradientSlivers.retainedBytes();
    }

    /** Drops every kept scratch buffer (the backend's close). */
    void releaseScratch() {
        images.release();
        patchGradients.release();
        gradientSlivers.release();
    }

    float[] forward(float[] in, float[] filter, Conv2dGeometry g) {
        return forward("conv2d", in, filter, g);
    }

    private float[] forward(String op, float[] in, float[] filter, Conv2dGeometry g) {
        int crs = g.c() * g.r() * g.s(), p = g.outH() * g.outW(), imageSize = g.c() * g.h() * g.w();
        float[] out = outputs.uninitialized(g.n() * g.k() * p); // each image's GEMM stores its whole block
        if (hasSmallFilter(g)) {
            pool.forEach(g.n(), b -> DirectConv.forward(in, filter, g, b, out));
            return out;
        }
        Gemm.Operand f = Gemm.Operand.of(filter, 0, g.k(), crs, false);
        eachImage(g, (b, parallel) -> {
            PanelSource col = isPointwise(g) ? Gemm.Operand.of(in, b * imageSize, g.c(), p, false)
                    : ImagePatches.of(op, in, b, g, images);
            multiply(parallel, g.k(), p, crs, f, col, out, b * g.k() * p);
        });
        return out;
    }

    float[] backwardInput(float[] gradOut, float[] filter, Conv2dGeometry g) {
        if (hasSmallFilter(g)) {
            float[] gradIn = outputs.zeroed(g.n() * g.c() * g.h() * g.w());
            pool.forEach(g.n(), b -> DirectConv.backwardInput(gradOut, filter, g, b, gradIn));
            return gradIn;
        }
        if (g.spec().strideH() == 1 && g.spec().strideW() == 1 && g.spec().padH() < g.r() && g.spec().padW() < g.s()
                && g.h() > 0 && g.w() > 0) { // an empty image has no transposed geometry (its filter outgrows the padding)
            return backwardInputAsConvolution(gradOut, filter, g);
        }
        int crs = g.c() * g.r() * g.s(), p = g.outH() * g.outW();
        int dcolSize = g.patchMatrixSize("conv2dBackwardInput"); // crs * p, checked before it is used
        float[] gradIn = outputs.zeroed(g.n() * g.c() * g.h() * g.w());
        Gemm.Operand fT = Gemm.Operand.of(filter, 0, crs, g.k(), true);
        eachImage(g, (b, parallel) -> {
            float[] dcol = patchGradients.take(dcolSize); // the GEMM stores all of it
            Gemm.Operand dOut = Gemm.Operand.of(gradOut, b * g.k() * p, g.k(), p, false);
            multiply(parallel, crs, p, g.k(), fT, dOut, dcol, 0);
            col2im(dcol, gradIn, b, g);
        });
        return gradIn;
    }

    /**
     * With stride 1 the input gradient is itself a convolution: of the output gradient with
     * the filter turned half round (taps reversed) and its channel axes swapped, padded by
     * {@code r - 1 - padH} and {@code s - 1 - padW}. That runs on the forward path, patches
     * packed straight from the image, instead of a patch-matrix product and a scatter.
     */
    private float[] backwardInputAsConvolution(float[] gradOut, float[] filter, Conv2dGeometry g) {
        int r = g.r(), s = g.s();
        float[] turned = new float[filter.length];
        for (int o = 0; o < g.k(); o++) {
            for (int ch = 0; ch < g.c(); ch++) {
                for (int i = 0; i < r; i++) {
                    for (int j = 0; j < s; j++) {
                        turned[((ch * g.k() + o) * r + r - 1 - i) * s + s - 1 - j] = filter[((o * g.c() + ch) * r + i) * s + j];
                    }
                }
            }
        }
        Conv2dGeometry back = Conv2dGeometry.of("conv2dBackwardInput", g.outputShape(), Shape.of(g.c(), g.k(), r, s),
                new ConvSpec(1, 1, r - 1 - g.spec().padH(), s - 1 - g.spec().padW()));
        if (back.outH() != g.h() || back.outW() != g.w()) {
            throw new IllegalStateException("conv2dBackwardInput: transposed geometry " + back + " does not give the input size of " + g);
        }
        return forward("conv2dBackwardInput", gradOut, turned, back);
    }

    /**
     * The filter gradient sums, per image, dOut_b (k x positions) times the patches (taps x
     * positions) over the positions. Filter gradients of at most {@link #DIRECT_FILTER_MAX}
     * entries are direct dot products ({@link DirectConv#filterGradient}); the others go
     * through {@link #filterGradientByTaps}.
     * Per-image results are added in image order.
     */
    float[] backwardFilter(float[] in, float[] gradOut, Conv2dGeometry g) {
        int crs = g.c() * g.r() * g.s(), size = g.k() * crs;
        boolean direct = hasSmallFilter(g), threeByThree = !direct && isThreeByThreeStrideOne(g)
                && gemm.kernels().filterGradient3x3Fits(g.outW());
        float[] sum = outputs.zeroed(size); // dFilter [k, crs], the images' products added on
        // images in groups of one per thread: each group's products, then added in image order
        int group = Math.max(1, Math.min(g.n(), pool.threads()));
        float[] partials = new float[Sizes.elements(() -> "conv2dBackwardFilter: per-thread partial gradients of filter"
                + g.filterShape(), group, size)];
        TapTables tables = direct || threeByThree || g.n() == 0 ? null : TapTables.of(g, gemm.kernels().mr());
        for (int first = 0; first < g.n(); first += group) {
            int count = Math.min(group, g.n() - first), start = first;
            Arrays.fill(partials, 0f);
            ImageTask task = (b, parallel) -> {
                if (direct) {
                    DirectConv.filterGradient(in, gradOut, g, b, partials, (b - start) * size);
                } else if (threeByThree) {
                    filterGradient3x3(in, gradOut, b, g, partials, (b - start) * size, parallel);
                } else {
                    filterGradientByTaps(in, gradOut, b, g, tables, partials, (b - start) * size, parallel);
                }
            };
            if (count == 1 || pool.threads() == 1) {
                for (int i = 0; i < count; i++) {
                    task.run(start + i, true);
                }
            } else {
                pool.forEach(count, i -> task.run(start + i, false));
            }
            for (int i = 0; i < count; i++) {
                for (int e = 0, off = i * size; e < size; e++) {
                    sum[e] += partials[off + e];
                }
            }
        }
        return sum;
    }

    /** 3 x 3 filters at stride 1 take {@link #filterGradient3x3} where the kernels have it for the output's width. */
    static boolean isThreeByThreeStrideOne(Conv2dGeometry g) {
        return g.r() == 3 && g.s() == 3 && g.spec().strideH() == 1 && g.spec().strideW() == 1;
    }

    /**
     * Image b's filter gradient [k, crs] added into {@code out}, for a 3 x 3 filter at stride 1:
     * tiles of three output channels by one input channel's nine taps
     * ({@link FastKernels#filterGradient3x3}), vectors along the output positions, dOut and the
     * bordered image both read in place. Against {@link #filterGradientByTaps}, which needs dOut
     * transposed into slivers first (16% of its time at the mid layer, one thread, and slower or
     * faster with where the arrays land): the mid layer (JMH, 2 threads, jars alternating, 3
     * rounds) 1.59-1.61 against 1.79-2.17 ms, on one image 0.238-0.260 against 0.262-0.410 ms.
     * Output channels past k in the last tile repeat the last one: computed,
     * dropped. With {@code parallel} the tiles are split over the threads; each entry of the
     * result comes from one tile, so the result does not depend on the split.
     */
    private void filterGradient3x3(float[] in, float[] gradOut, int b, Conv2dGeometry g, float[] out, int outOff,
                                   boolean parallel) {
        FastKernels kernels = gemm.kernels();
        ImagePatches patches = ImagePatches.of("conv2dBackwardFilter", in, b, g, images);
        int k = g.k(), c = g.c(), crs = c * 9, p = g.outH() * g.outW(), plane = patches.hp() * patches.wp();
        int kTiles = (k + 2) / 3, tiles = kTiles * c, gradOff = b * k * p;
        int parts = parallel ? Math.min(pool.threads(), tiles) : 1;
        forEachPart(parallel, parts, part -> {
            float[] sums = new float[27], lanes = new float[27 * 16];
            for (int tile = tiles * part / parts, end = tiles * (part + 1) / parts; tile < end; tile++) {
                int k0 = tile / c * 3, ch = tile % c, rows = Math.min(3, k - k0);
                int d0 = gradOff + k0 * p, d1 = gradOff + Math.min(k0 + 1, k - 1) * p, d2 = gradOff + Math.min(k0 + 2, k - 1) * p;
                kernels.filterGradient3x3(gradOut, d0, d1, d2, g.outH(), g.outW(), patches.padded(), ch * plane, patches.wp(),
                        sums, lanes);
                for (int i = 0; i < rows; i++) {
                    for (int t = 0, at = outOff + (k0 + i) * crs + ch * 9; t < 9; t++) {
                        out[at + t] += sums[i * 9 + t];
                    }
                }
            }
        });
    }

    /**
     * Image b's filter gradient [k, crs] added into {@code out}: micro-tiles of taps x output
     * channels ({@link FastKernels#gatherMicroKernel}) that read the patch matrix in place from
     * the bordered image through a table of tap offsets and one of position offsets (any stride,
     * any width), against dOut_b transposed into {@code nr}-column slivers, one row per position
     * (the one copy made: k * positions floats, against the taps * positions of packing the
     * patches: the large layer took 62-65 ms as a GEMM over packed patches, 39-45 this way; the
     * mid layer's 1.7-2.0 ms is what dot products of rows read in place took, for any width).
     * Positions are taken in blocks of {@link #POSITION_BLOCK}, each block's sliver rows (128 KB)
     * staying in L2 while every tap tile passes over it; an entry adds its blocks' sums in block
     * order, so with {@code parallel} (tap tiles split over the threads) the result is the same.
     */
    private void filterGradientByTaps(float[] in, float[] gradOut, int b, Conv2dGeometry g, TapTables tables,
                                      float[] out, int outOff, boolean parallel) {
        FastKernels kernels = gemm.kernels();
        int crs = g.c() * g.r() * g.s(), p = g.outH() * g.outW(), k = g.k(), mr = kernels.mr(), nr = kernels.nr();
        ImagePatches patches = ImagePatches.of("conv2dBackwardFilter", in, b, g, images);
        int[] positions = tables.positions(), taps = tables.taps();
        int kTiles = (k + nr - 1) / nr, tapTiles = taps.length / mr;
        float[] slivers = gradientSlivers.take(Sizes.elements(() -> "conv2dBackwardFilter: output gradient of image "
                + b + " in slivers", kTiles * nr, p));
        int gradOff = b * k * p, parts = parallel ? pool.threads() : 1;
        forEachPart(parallel, parts, part -> transposeIntoSlivers(gradOut, gradOff, k, p, nr, slivers,
                (int) ((long) p * part / parts), (int) ((long) p * (part + 1) / parts)));
        int tapParts = Math.min(parts, tapTiles);
        forEachPart(parallel, kTiles * tapParts, task -> {
            int kt = task / tapParts, part = task % tapParts;
            int t0 = tapTiles * part / tapParts, t1 = tapTiles * (part + 1) / tapParts;
            int k0 = kt * nr, cols = Math.min(nr, k - k0);
            float[] tile = new float[mr * nr];
            for (int q0 = 0; q0 < p; q0 += POSITION_BLOCK) {
                int len = Math.min(POSITION_BLOCK, p - q0);
                for (int tt = t0; tt < t1; tt++) {
                    kernels.gatherMicroKernel(len, patches.padded(), taps, tt * mr, positions, q0, slivers, (kt * p + q0) * nr,
                            tile, 0, nr, true);
                    int rows = Math.min(mr, crs - tt * mr);
                    for (int i = 0; i < rows; i++) {
                        for (int j = 0, at = outOff + k0 * crs + tt * mr + i; j < cols; j++, at += crs) {
                            out[at] += tile[i * nr + j];
                        }
                    }
                }
            }
        });
    }

    /**
     * Where the filter gradient's tiles read the bordered image, the same for every image of a
     * call: each tap's offset, in whole tiles of {@code mr} (the last tile's missing taps repeat
     * the last one: computed, dropped), and each output position's offset from its tap's.
     */
    private record TapTables(int[] taps, int[] positions) {
        static TapTables of(Conv2dGeometry g, int mr) {
            g.paddedImageSize("conv2dBackwardFilter"); // checked first, as for the images: then every offset fits in int
            int crs = g.c() * g.r() * g.s();
            int[] taps = new int[(crs + mr - 1) / mr * mr];
            for (int t = 0; t < taps.length; t++) {
                taps[t] = ImagePatches.tapOffset(g, Math.min(t, crs - 1));
            }
            return new TapTables(taps, ImagePatches.positionOffsets(g, 0, g.outH() * g.outW()));
        }
    }

    /**
     * Positions [q0, q1) of the {@code k x p} matrix at {@code src[off]} into {@code nr}-column
     * slivers: sliver kt holds, for each position q, rows kt*nr .. kt*nr+nr-1 at
     * {@code dst[(kt * p + q) * nr]}, rows past k zero. Four rows at a time, each read in order.
     */
    private static void transposeIntoSlivers(float[] src, int off, int k, int p, int nr, float[] dst, int q0, int q1) {
        for (int k0 = 0; k0 < k; k0 += nr) {
            int base = k0 * p;
            for (int j = 0; j < nr; j += 4) {
                int r = k0 + j;
                if (r + 4 <= k) {
                    int s0 = off + r * p, s1 = s0 + p, s2 = s1 + p, s3 = s2 + p;
                    for (int q = q0, d = base + q0 * nr + j; q < q1; q++, d += nr) {
                        dst[d] = src[s0 + q];
                        dst[d + 1] = src[s1 + q];
                        dst[d + 2] = src[s2 + q];
                        dst[d + 3] = src[s3 + q];
                    }
                } else {
                    for (int jj = j; jj < j + 4; jj++) {
                        int row = k0 + jj, s0 = off + row * p;
                        for (int q = q0, d = base + q0 * nr + jj; q < q1; q++, d += nr) {
                            dst[d] = row < k ? src[s0 + q] : 0f;
                        }
                    }
                }
            }
        }
    }

    /** {@code tasks} tasks on the pool, or one after another on this thread. */
    private void forEachPart(boolean parallel, int tasks, IntConsumer task) {
        if (parallel) {
            pool.forEach(tasks, task);
        } else {
            for (int i = 0; i < tasks; i++) {
                task.accept(i);
            }
        }
    }

    /** Work on one image; {@code parallel} says whether its GEMM should use the whole pool. */
    private interface ImageTask {
        void run(int image, boolean parallel);
    }

    /** Whole images to threads when there is one per thread, else one image at a time, each GEMM split. */
    private void eachImage(Conv2dGeometry g, ImageTask task) {
        if (g.n() >= pool.threads()) {
            pool.forEach(g.n(), b -> task.run(b, false));
        } else {
            for (int b = 0; b < g.n(); b++) {
                task.run(b, true);
            }
        }
    }

    /** {@code C = A B} into c at cOff (rows n apart): every GEMM here stores a block of its own, old contents ignored. */
    private void multiply(boolean parallel, int m, int n, int k, BlockSource a, PanelSource b, float[] c, int cOff) {
        if (parallel) {
            gemm.multiplyParallel(m, n, k, a, b, c, cOff, n, true);
        } else {
            gemm.multiply(m, n, k, a, b, c, cOff, n, true);
        }
    }

    /** A filter of at most {@link #DIRECT_FILTER_MAX} entries: convolved directly. */
    private boolean hasSmallFilter(Conv2dGeometry g) {
        return g.k() * g.c() * g.r() * g.s() <= directFilterMax;
    }

    /** A 1x1 filter with stride 1 and no padding: the image itself is the patch matrix. */
    private static boolean isPointwise(Conv2dGeometry g) {
        return g.r() == 1 && g.s() == 1 && g.spec().strideH() == 1 && g.spec().strideW() == 1
                && g.spec().padH() == 0 && g.spec().padW() == 0;
    }

    /** Adds each patch-matrix entry back onto the input position it was read from (im2col's adjoint). */
    private static void col2im(float[] dcol, float[] gradIn, int b, Conv2dGeometry g) {
        int p = g.outH() * g.outW(), imageSize = g.c() * g.h() * g.w();
        int sh = g.spec().strideH(), sw = g.spec().strideW(), ph = g.spec().padH(), pw = g.spec().padW();
        int row = 0;
        for (int ch = 0; ch < g.c(); ch++) {
            int plane = b * imageSize + ch * g.h() * g.w();
            for (int i = 0; i < g.r(); i++) {
                for (int j = 0; j < g.s(); j++, row++) {
                    int xLo = firstInside(j - pw, sw), xHi = lastInsideExclusive(j - pw, sw, g.w(), g.outW());
                    for (int y = 0; y < g.outH(); y++) {
                        int iy = y * sh - ph + i;
                        if (iy < 0 || iy >= g.h()) {
                            continue;
                        }
                        int src = row * p + y * g.outW(), dst = plane + iy * g.w() + xLo * sw + j - pw;
                        for (int x = xLo; x < xHi; x++, dst += sw) {
                            gradIn[dst] += dcol[src + x];
                        }
                    }
                }
            }
        }
    }

    /** The first output column x whose input column {@code x * stride + shift} is not left of the image. */
    static int firstInside(int shift, int stride) {
        return shift >= 0 ? 0 : (-shift + stride - 1) / stride;
    }

    /** One past the last output column x whose input column {@code x * stride + shift} is inside a width-w image. */
    static int lastInsideExclusive(int shift, int stride, int w, int outW) {
        int last = w - 1 - shift; // largest x * stride allowed
        return last < 0 ? 0 : Math.min(outW, last / stride + 1);
    }
}

package dev.tensorbackend.cuda;

import java.util.List;

import dev.tensorbackend.api.Conv2dGeometry;
import jcuda.driver.CUdeviceptr;

/**
 * Kernel choice, grid arithmetic, argument packing and launches of {@code conv2d.cu}: implicit
 * GEMMs in general, direct kernels for tiny filters (see {@link #tinyFilter}).
 */
final class Conv2dLauncher {
    static final String MODULE = "conv2d";
    static final String FORWARD = "conv2d_forward";
    static final String BACKWARD_INPUT = "conv2d_backward_input";
    static final String BACKWARD_FILTER = "conv2d_backward_filter";
    static final String BACKWARD_FILTER_REDUCE = "conv2d_backward_filter_reduce";
    /** The same GEMMs with tiles of {@link #TILE_M_WIDE} rows. */
    static final String FORWARD_WIDE = FORWARD + "_wide";
    static final String BACKWARD_INPUT_WIDE = BACKWARD_INPUT + "_wide";
    static final String BACKWARD_FILTER_WIDE = BACKWARD_FILTER + "_wide";
    /** The direct kernels for tiny filters. */
    static final String FORWARD_DIRECT = FORWARD + "_direct";
    static final String BACKWARD_INPUT_DIRECT = BACKWARD_INPUT + "_direct";
    static final String BACKWARD_FILTER_DIRECT = BACKWARD_FILTER + "_direct";
    static final String BACKWARD_FILTER_DIRECT_REDUCE = BACKWARD_FILTER_DIRECT + "_reduce";
    static final List<String> KERNELS = List.of(FORWARD, FORWARD_WIDE, BACKWARD_INPUT, BACKWARD_INPUT_WIDE,
            BACKWARD_FILTER, BACKWARD_FILTER_WIDE, BACKWARD_FILTER_REDUCE, FORWARD_DIRECT, BACKWARD_INPUT_DIRECT,
            BACKWARD_FILTER_DIRECT, BACKWARD_FILTER_DIRECT_REDUCE);

    /** System property, read when the backend is created: which convolution kernels run. */
    static final String KERNEL_PROPERTY = "tensor.cuda.conv.kernel";

    /** The values of {@value #KERNEL_PROPERTY}. */
    enum Kernels {
        /** The launch rule: the direct kernels for tiny filters ({@link #tinyFilter}), the GEMMs otherwise. The default. */
        AUTO,
        /**
         * The direct kernels wherever they can run, which is exactly the tiny filters (their
         * register arrays end there), the GEMMs for the others: today the same as {@code auto};
         * named so that a timing run says what it asked for, and so it stays right if the rule
         * ever narrows.
         */
        DIRECT,
        /** The implicit GEMMs for every convolution, as before the direct kernels: to time one against the other. */
        GEMM;

        /** The property's spelling. */
        String label() {
            return KernelChoices.label(this);
        }

        /** {@code auto} (or nothing), {@code direct} or {@code gemm}, any case; anything else is refused, listing these. */
        static Kernels parse(String value) {
            return KernelChoices.parse(Kernels.class, AUTO, value, KERNEL_PROPERTY, "convolution");
        }
    }

    /**
     * The launch rule's bounds for the direct kernels, as CONV_DIRECT_MAX_TAPS and
     * CONV_DIRECT_MAX_K in conv2d.cu: a filter of at most 16 values per output channel
     * (c r s) and at most 8 output channels. See {@link #tinyFilter}.
     */
    static final int DIRECT_MAX_TAPS = 16;
    static final int DIRECT_MAX_K = 8;
    /** Threads per block of every direct kernel (CONV_DIRECT_THREADS). */
    static final int DIRECT_THREADS = 256;
    /**
     * Positions per chunk of the direct backward-filter (CONV_DIRECT_CHUNK, 8 per thread): a
     * constant, so that the order of its sums depends on the shape alone.
     */
    static final int DIRECT_CHUNK = 2048;

    /** Block tile of the GEMMs: rows (channels), columns, K per step; as CONV_TILE_* in conv2d.cu. */
    static final int TILE_M = 32;
    static final int TILE_M_WIDE = 64;
    static final int TILE_N = 128;
    static final int TILE_K = 16;
    static final int THREADS = 128;
    static final int REDUCE_THREADS = 256;

    /**
     * Backward-filter's output is small (k c r s) and its reduction long (n outH outW), so it
     * splits the positions until there are about this many blocks: a few per SM of any
     * current GPU, each with enough steps to hide the global loads.
     */
    static final int FILTER_TARGET_BLOCKS = 512;
    /** A split covers at least this many positions (16 steps), so partial sums stay few. */
    static final int FILTER_MIN_SPLIT_POSITIONS = 256;
    /**
     * The wide tiles do twice the multiply-adds per staged value but halve the blocks: taken
     * for more than 32 rows while that still leaves this many blocks, two per SM of an
     * H100/H200 (132 SMs), so that a block's barrier wait is covered by another block.
     */
    static final int WIDE_MIN_BLOCKS = 264;
    /** The largest int that is a multiple of TILE_K: a split's length must be one. */
    private static final int MAX_SPLIT_POSITIONS = Integer.MAX_VALUE / TILE_K * TILE_K;

    /** How backward-filter divides the positions: {@code splits} ranges of {@code positions} each (the last may be short). */
    record FilterSplit(int splits, int positions) {
    }

    private final KernelRunner runner;
    private final Kernels kernels;

    /** The launch rule's choice ({@link Kernels#AUTO}). */
    Conv2dLauncher(KernelRunner runner) {
        this(runner, Kernels.AUTO);
    }

    Conv2dLauncher(KernelRunner runner, Kernels kernels) {
        this.runner = runner;
        this.kernels = kernels;
    }

    Kernels kernels() {
        return kernels;
    }

    /**
     * The launch rule: a filter is tiny when each output channel has at most
     * {@value #DIRECT_MAX_TAPS} values (c r s) and there are at most {@value #DIRECT_MAX_K}
     * output channels; then all three passes take the direct kernels. Why there: the GEMM tiles
     * are 32 output channels high and reduce over 16 input channels per filter tap, so with
     * k <= 8 at least three quarters of every tile's rows are zeros, and with one input channel
     * (the networks' own layer: [n, 1, h, w] * [1, 1, 2, 2], stride 2) 15 of every 16 staged
     * values are zeros too; the direct kernels do only the real multiply-adds. Why these bounds:
     * a direct thread keeps up to 16 tap sums (backward-filter) or 8 output sums (forward) in
     * registers, as unrolled arrays, and the k c r s <= 128 filter values in shared memory; at
     * 16 and 8 that fits 64 registers without spilling (KernelRegisterSpillTest), and it covers
     * the networks' layer in every configuration with room for small variations.
     * Larger filters reuse each staged value across many channels, which is what the GEMM
     * tiles are for.
     */
    static boolean tinyFilter(Conv2dGeometry g) {
        return (long) g.c() * g.r() * g.s() <= DIRECT_MAX_TAPS && g.k() <= DIRECT_MAX_K;
    }

    /** Whether this launcher runs {@code g} on the direct kernels. */
    boolean direct(Conv2dGeometry g) {
        return kernels != Kernels.GEMM && tinyFilter(g);
    }

    static long outputElements(Conv2dGeometry g) {
        return (long) g.n() * g.k() * g.outH() * g.outW();
    }

    static long inputElements(Conv2dGeometry g) {
        return (long) g.n() * g.c() * g.h() * g.w();
    }

    static long filterElements(Conv2dGeometry g) {
        return (long) g.k() * g.c() * g.r() * g.s();
    }

    private static int tiles(long extent, int tile) {
        return (int) Math.min(LaunchConfig.ceilDiv(extent, tile), LaunchConfig.MAX_GRID_YZ);
    }

    /** Tile rows for a GEMM of {@code rows} x {@code columns}: see {@link #WIDE_MIN_BLOCKS}. */
    static int tileRows(int rows, long columns) {
        if (rows <= TILE_M) {
            return TILE_M;
        }
        long wideBlocks = LaunchConfig.ceilDiv(columns, TILE_N) * LaunchConfig.ceilDiv(rows, TILE_M_WIDE);
        return wideBlocks >= WIDE_MIN_BLOCKS ? TILE_M_WIDE : TILE_M;
    }

    static int forwardTileRows(Conv2dGeometry g) {
        return tileRows(g.k(), (long) g.n() * g.outH() * g.outW());
    }

    static int backwardInputTileRows(Conv2dGeometry g) {
        return tileRows(g.c(), (long) g.n() * g.h() * g.w());
    }

    /** Backward-filter's splits make up the blocks, so the wide tile whenever there are more than 32 rows. */
    static int backwardFilterTileRows(Conv2dGeometry g) {
        return g.k() > TILE_M ? TILE_M_WIDE : TILE_M;
    }

    /** Columns: output positions n outH outW; rows: output channels. */
    static LaunchConfig forwardConfig(Conv2dGeometry g) {
        long columns = (long) g.n() * g.outH() * g.outW();
        return new LaunchConfig((int) LaunchConfig.ceilDiv(columns, TILE_N), tiles(g.k(), forwardTileRows(g)), 1,
                THREADS, 1, 1, 0);
    }

    static String forwardKernel(Conv2dGeometry g) {
        return forwardTileRows(g) == TILE_M_WIDE ? FORWARD_WIDE : FORWARD;
    }

    /** Columns: input positions n h w; rows: input channels. */
    static LaunchConfig backwardInputConfig(Conv2dGeometry g) {
        long columns = (long) g.n() * g.h() * g.w();
        return new LaunchConfig((int) LaunchConfig.ceilDiv(columns, TILE_N), tiles(g.c(), backwardInputTileRows(g)), 1,
                THREADS, 1, 1, 0);
    }

    static String backwardInputKernel(Conv2dGeometry g) {
        return backwardInputTileRows(g) == TILE_M_WIDE ? BACKWARD_INPUT_WIDE : BACKWARD_INPUT;
    }

    static String backwardFilterKernel(Conv2dGeometry g) {
        return backwardFilterTileRows(g) == TILE_M_WIDE ? BACKWARD_FILTER_WIDE : BACKWARD_FILTER;
    }

    static FilterSplit backwardFilterSplit(Conv2dGeometry g) {
        long positions = (long) g.n() * g.outH() * g.outW();
        long tiles = LaunchConfig.ceilDiv(g.k(), backwardFilterTileRows(g)) * LaunchConfig.ceilDiv((long) g.c() * g.r() * g.s(), TILE_N);
        long wanted = Math.max(1, Math.min(LaunchConfig.ceilDiv(FILTER_TARGET_BLOCKS, Math.max(tiles, 1)),
                positions / FILTER_MIN_SPLIT_POSITIONS));
        long per = LaunchConfig.ceilDiv(LaunchConfig.ceilDiv(Math.max(positions, 1), wanted), TILE_K) * TILE_K;
        per = Math.min(per, MAX_SPLIT_POSITIONS);
        int splits = (int) Math.max(1, LaunchConfig.ceilDiv(positions, per)); // none empty
        return new FilterSplit(splits, (int) per);
    }

    /** Columns: filter elements c r s; rows: output channels; z: the position ranges. */
    static LaunchConfig backwardFilterConfig(Conv2dGeometry g) {
        long crs = (long) g.c() * g.r() * g.s();
        return new LaunchConfig((int) LaunchConfig.ceilDiv(crs, TILE_N), tiles(g.k(), backwardFilterTileRows(g)),
                Math.min(backwardFilterSplit(g).splits(), LaunchConfig.MAX_GRID_YZ), THREADS, 1, 1, 0);
    }

    /** Floats of the partial-sum buffer the GEMM backward-filter needs; 0: none, it writes the gradient directly. */
    static long backwardFilterScratch(Conv2dGeometry g) {
        int splits = backwardFilterSplit(g).splits();
        return splits > 1 ? splits * filterElements(g) : 0;
    }

    /** Chunks of {@link #DIRECT_CHUNK} positions the direct backward-filter sums separately (at least one). */
    static int backwardFilterDirectChunks(Conv2dGeometry g) {
        long positions = (long) g.n() * g.outH() * g.outW();
        return (int) Math.max(1, LaunchConfig.ceilDiv(positions, DIRECT_CHUNK));
    }

    /** Floats of the direct backward-filter's partial sums, one set per chunk; 0 for one chunk (written directly). */
    static long backwardFilterDirectScratch(Conv2dGeometry g) {
        int chunks = backwardFilterDirectChunks(g);
        return chunks > 1 ? chunks * filterElements(g) : 0;
    }

    /** Floats of the partial-sum buffer {@link #backwardFilter} needs for {@code g} on this launcher's kernels. */
    long partialSumFloats(Conv2dGeometry g) {
        return direct(g) ? backwardFilterDirectScratch(g) : backwardFilterScratch(g);
    }

    /** Direct forward: a thread per output position (n outH outW). */
    static LaunchConfig forwardDirectConfig(Conv2dGeometry g) {
        return LaunchConfig.linear((long) g.n() * g.outH() * g.outW(), DIRECT_THREADS);
    }

    /** Direct backward-input: a thread per input element (n c h w). */
    static LaunchConfig backwardInputDirectConfig(Conv2dGeometry g) {
        return LaunchConfig.linear(inputElements(g), DIRECT_THREADS);
    }

    /** Direct backward-filter: x over the chunks, y over the output channels (k <= 8). */
    static LaunchConfig backwardFilterDirectConfig(Conv2dGeometry g) {
        return new LaunchConfig(Math.min(backwardFilterDirectChunks(g), LaunchConfig.MAX_LINEAR_BLOCKS),
                Math.min(g.k(), LaunchConfig.MAX_GRID_YZ), 1, DIRECT_THREADS, 1, 1, 0);
    }

    /** The chunks' reduction: a block per filter element. */
    static LaunchConfig backwardFilterDirectReduceConfig(Conv2dGeometry g) {
        return LaunchConfig.blockPerItem(filterElements(g), DIRECT_THREADS);
    }

    /** Three tensors, then the geometry (the three GEMMs share this prefix). */
    static KernelArgs args(String first, CUdeviceptr p0, String second, CUdeviceptr p1, String result,
                           CUdeviceptr p2, Conv2dGeometry g) {
        return KernelArgs.create()
                .pointer(first, p0).pointer(second, p1).pointer(result, p2)
                .intArg("n", g.n()).intArg("c", g.c()).intArg("h", g.h()).intArg("w", g.w())
                .intArg("k", g.k()).intArg("r", g.r()).intArg("s", g.s())
                .intArg("outH", g.outH()).intArg("outW", g.outW())
                .intArg("strideH", g.spec().strideH()).intArg("strideW", g.spec().strideW())
                .intArg("padH", g.spec().padH()).intArg("padW", g.spec().padW());
    }

    void forward(CUdeviceptr input, CUdeviceptr filter, CUdeviceptr output, Conv2dGeometry g) {
        if (outputElements(g) == 0) {
            return;
        }
        KernelArgs args = args("in", input, "f", filter, "out", output, g);
        if (direct(g)) {
            runner.launch(MODULE, FORWARD_DIRECT, forwardDirectConfig(g), args);
        } else {
            runner.launch(MODULE, forwardKernel(g), forwardConfig(g), args);
        }
    }

    void backwardInput(CUdeviceptr gradOutput, CUdeviceptr filter, CUdeviceptr gradInput, Conv2dGeometry g) {
        if (inputElements(g) == 0) {
            return;
        }
        KernelArgs args = args("gradOut", gradOutput, "f", filter, "gradIn", gradInput, g);
        if (direct(g)) {
            runner.launch(MODULE, BACKWARD_INPUT_DIRECT, backwardInputDirectConfig(g), args);
        } else {
            runner.launch(MODULE, backwardInputKernel(g), backwardInputConfig(g), args);
        }
    }

    /**
     * {@code partials}: {@link #partialSumFloats} floats of device memory owned by the caller
     * (null when that is 0); the split (GEMM) or chunk (direct) sums go there, then a second,
     * fixed-order pass adds them into {@code gradFilter}.
     */
    void backwardFilter(CUdeviceptr input, CUdeviceptr gradOutput, CUdeviceptr gradFilter, CUdeviceptr partials,
                        Conv2dGeometry g) {
        long elements = filterElements(g);
        if (elements == 0) {
            return;
        }
        if (direct(g)) {
            backwardFilterDirect(input, gradOutput, gradFilter, partials, g);
            return;
        }
        FilterSplit split = backwardFilterSplit(g);
        boolean direct = split.splits() == 1;
        if (!direct && partials == null) {
            throw new IllegalArgumentException("conv2d backward-filter in " + split.splits() + " splits needs a partial buffer of "
                    + backwardFilterScratch(g) + " floats");
        }
        runner.launch(MODULE, backwardFilterKernel(g), backwardFilterConfig(g),
                args("in", input, "gradOut", gradOutput, "result", direct ? gradFilter : partials, g)
                        .intArg("splitPositions", split.positions()).intArg("splits", split.splits()));
        if (!direct) {
            runner.launch(MODULE, BACKWARD_FILTER_REDUCE, LaunchConfig.linear(elements, REDUCE_THREADS),
                    KernelArgs.create().pointer("partials", partials).pointer("gradF", gradFilter)
                            .intArg("elements", (int) elements).intArg("splits", split.splits()));
        }
    }

    private void backwardFilterDirect(CUdeviceptr input, CUdeviceptr gradOutput, CUdeviceptr gradFilter, CUdeviceptr partials,
                                      Conv2dGeometry g) {
        int chunks = backwardFilterDirectChunks(g);
        boolean single = chunks == 1;
        if (!single && partials == null) {
            throw new IllegalArgumentException("conv2d backward-filter in " + chunks + " chunks needs a partial buffer of "
                    + backwardFilterDirectScratch(g) + " floats");
        }
        runner.launch(MODULE, BACKWARD_FILTER_DIRECT, backwardFilterDirectConfig(g),
                args("in", input, "gradOut", gradOutput, "result", single ? gradFilter : partials, g)
                        .intArg("chunkPositions", DIRECT_CHUNK).intArg("chunks", chunks));
        if (!single) {
            runner.launch(MODULE, BACKWARD_FILTER_DIRECT_REDUCE, backwardFilterDirectReduceConfig(g),
                    KernelArgs.create().pointer("partials", partials).pointer("gradF", gradFilter)
                            .intArg("elements", (int) filterElements(g)).intArg("chunks", chunks));
        }
    }
}

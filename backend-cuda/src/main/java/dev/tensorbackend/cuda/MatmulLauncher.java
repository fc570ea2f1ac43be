package dev.tensorbackend.cuda;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.Shape;
import jcuda.driver.CUdeviceptr;

/**
 * Kernel choice, grid arithmetic, argument packing and launch of {@code matmul.cu}.
 *
 * <p>Three kernels compute the same thing with the same per-element order of operations (so
 * any of them gives the same bits), in square tiles of C of 128, 64 or 32. A larger tile
 * moves fewer bytes per multiply-add but makes fewer blocks; the launcher takes the largest
 * tile that still makes {@link #MIN_BLOCKS} blocks, enough for one per multiprocessor (see
 * {@link #kernel}).
 *
 * <p>Three more, the warp-tiled {@link #VARIANTS} (same results, bit for bit), were timed
 * against them on an H200: the launch rule now runs two of them in place of tile128 (see
 * {@link #kernel}); {@value #KERNEL_PROPERTY} forces any kernel for every call, so that each
 * can be timed on the same shapes.
 */
final class MatmulLauncher {
    static final String MODULE = "matmul";
    static final String TILE128 = "matmul_tile128";
    static final String TILE64 = "matmul_tile64";
    static final String TILE32 = "matmul_tile32";
    static final String WARP128 = "matmul_warp128";
    static final String WARP128_K16 = "matmul_warp128k16";
    static final String WARP128X256 = "matmul_warp128x256";

    /** System property, read when the backend is created: {@code auto} (the default) or a kernel to force. */
    static final String KERNEL_PROPERTY = "tensor.cuda.matmul.kernel";
    static final String AUTO = "auto";

    /**
     * A kernel, the rows and columns of its tile of C, the threads of its one-dimensional
     * block.
     */
    record Tiling(String kernel, int tileM, int tileN, int threads) {
        /** A square tile. */
        Tiling(String kernel, int tile, int threads) {
            this(kernel, tile, tile, threads);
        }

        /** The edge of a square tile. */
        int tile() {
            if (tileM != tileN) {
                throw new IllegalStateException(kernel + "'s tile is not square");
            }
            return tileM;
        }

        /** The kernel's name without the module's prefix, as {@value #KERNEL_PROPERTY} takes it. */
        String shortName() {
            return kernel.substring(MODULE.length() + 1);
        }
    }

    /**
     * Largest tile first. Must match TILE128/THREADS128, TILE64/THREADS64 and
     * TILE32/THREADS32 in matmul.cu.
     */
    static final List<Tiling> TILINGS = List.of(new Tiling(TILE128, 128, 256), new Tiling(TILE64, 64, 128),
            new Tiling(TILE32, 32, 64));
    /**
     * The warp-tiled kernels: forced only. Must match WT_THREADS and the WT128*, WT128K16* and
     * WT128X256* tiles in matmul.cu.
     */
    static final List<Tiling> VARIANTS = List.of(new Tiling(WARP128, 128, 256), new Tiling(WARP128_K16, 128, 256),
            new Tiling(WARP128X256, 128, 256, 256));
    /** Every kernel of matmul.cu: the launch rule's, then the variants. */
    static final List<Tiling> ALL = Stream.concat(TILINGS.stream(), VARIANTS.stream()).toList();
    static final List<String> KERNELS = ALL.stream().map(Tiling::kernel).toList();

    /**
     * The multiprocessor count of an H100 or H200 (132): a tiling is used only when its grid
     * has at least this many blocks, so that no multiprocessor waits for work a smaller tile
     * would have given it.
     */
    static final int MIN_BLOCKS = 132;

    private final KernelRunner runner;
    /** The kernel every call uses; null: the launch rule chooses per call. */
    private final Tiling forced;

    /** The launch rule's choice for every call. */
    MatmulLauncher(KernelRunner runner) {
        this(runner, null);
    }

    /** {@code forced}: the kernel for every call; null for the launch rule. */
    MatmulLauncher(KernelRunner runner, Tiling forced) {
        this.runner = runner;
        this.forced = forced;
    }

    /**
     * The kernel a {@value #KERNEL_PROPERTY} value forces: null for {@code auto} (or none
     * given), else the kernel named by its short name ({@code tile128}, {@code warp128}, ...)
     * or its full name ({@code matmul_tile128}); unknown names are refused, listing the known.
     */
    static Tiling forcedTiling(String value) {
        if (value == null || value.isBlank() || value.trim().equalsIgnoreCase(AUTO)) {
            return null;
        }
        String name = value.trim().toLowerCase(Locale.ROOT);
        for (Tiling t : ALL) {
            if (t.kernel().equals(name) || t.shortName().equals(name)) {
                return t;
            }
        }
        throw new BackendException(KERNEL_PROPERTY + ": unknown matmul kernel '" + value + "'; use " + AUTO + ", "
                + ALL.stream().map(Tiling::shortName).collect(Collectors.joining(", ")));
    }

    /** The kernel forced for every call, or null when the launch rule chooses. */
    Tiling forced() {
        return forced;
    }

    /** False when C is empty; K = 0 still needs the launch, which writes zeros. */
    static boolean hasWork(MatmulDims d) {
        return d.batch() > 0 && d.m() > 0 && d.n() > 0;
    }

    /** Tiles of {@code tile} x {@code tile} that cover C, over all batch entries: the blocks of the grid. */
    static long tiles(MatmulDims d, int tile) {
        return LaunchConfig.ceilDiv(d.m(), tile) * LaunchConfig.ceilDiv(d.n(), tile) * d.batch();
    }

    /**
     * The largest tiling whose grid has at least {@link #MIN_BLOCKS} blocks; the smallest
     * (32 x 32) when none has. K plays no part: it lengthens every block's work alike.
     */
    static Tiling tiling(MatmulDims d) {
        for (Tiling t : TILINGS) {
            if (tiles(d, t.tile()) >= MIN_BLOCKS) {
                return t;
            }
        }
        return TILINGS.get(TILINGS.size() - 1);
    }

    /** From this K on, the 128 x 128 tier takes the warp-tiled kernel with K steps of 16. */
    static final int K16_MIN_K = 256;

    /**
     * The kernel {@link #matmul} launches for {@code d}: the tiling's, except that the
     * 128 x 128 tier runs a warp-tiled kernel of the same tile, which an H200 ran faster
     * (2026-11-26, every kernel forced in one run, README): {@code warp128k16} (0.80x cuBLAS at
     * 4096^3, 0.84x at 2048^3, against 0.71x and 0.74x for tile128) where K is long enough
     * for its 16-deep steps, {@code warp128} (2% ahead of tile128 on the attention scores,
     * K = 64) below that.
     */
    static String kernel(MatmulDims d) {
        String kernel = tiling(d).kernel();
        if (!kernel.equals(TILE128)) {
            return kernel;
        }
        return d.k() >= K16_MIN_K ? WARP128_K16 : WARP128;
    }

    /** Any kernel of matmul.cu by its full name. */
    static Tiling tiling(String kernel) {
        return ALL.stream().filter(t -> t.kernel().equals(kernel)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no matmul kernel " + kernel));
    }

    /**
     * For {@code kernel}: x, one block per tile of columns of C; y, one per tile of rows; z,
     * one per batch entry; y and z capped at CUDA's 65535. The kernel walks the (batch entry,
     * tile row) pairs with a stride of gridDim.y * gridDim.z, so any y and z cover them.
     */
    static LaunchConfig config(MatmulDims d, String kernel) {
        Tiling t = tiling(kernel);
        int tilesN = (int) LaunchConfig.ceilDiv(d.n(), t.tileN());
        int tilesM = (int) LaunchConfig.ceilDiv(d.m(), t.tileM());
        return new LaunchConfig(tilesN, Math.min(tilesM, LaunchConfig.MAX_GRID_YZ),
                Math.min(d.batch(), LaunchConfig.MAX_GRID_YZ), t.threads(), 1, 1, 0);
    }

    /** The launch {@link #matmul} makes. */
    static LaunchConfig config(MatmulDims d) {
        return config(d, kernel(d));
    }

    static KernelArgs args(CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, MatmulDims d) {
        return KernelArgs.create()
                .pointer("A", a).pointer("B", b).pointer("C", c)
                .intArg("batch", d.batch()).intArg("M", d.m()).intArg("N", d.n()).intArg("K", d.k())
                .intArg("transA", d.transA()).intArg("transB", d.transB())
                .intArg("aBatchStride", d.aBatchStride()).intArg("bBatchStride", d.bBatchStride());
    }

    /** A K slice shorter than this costs more in the partial sums than it gains in blocks. */
    static final int MIN_SLICE_K = 256;

    /**
     * Into how many slices of K to split {@code d} (1: not split). A weight gradient
     * {@code X^T dY} has a small result (width x width) and a long K (every row of a batch),
     * so even the 32 x 32 tiling leaves most multiprocessors idle while a few blocks walk all
     * of K. Its operands are stored [K, M] and [K, N], so a slice of K is a contiguous block of
     * rows of both, and the slices run as one batched product into partial results, which
     * {@code sum_to_axis} then adds in slice order. The split applies only to that layout
     * (A transposed, B not, no batch), to at most {@code 2 * MIN_BLOCKS} blocks, into a power
     * of two of equal slices of at least {@link #MIN_SLICE_K}; the count depends only on the
     * shape, so results are the same on every run. They differ from the unsplit product in
     * rounding only (each element is a sum of slice sums), within the cross-check tolerance.
     */
    static int kSlices(MatmulDims d) {
        if (!d.transA() || d.transB() || d.batch() != 1) {
            return 1;
        }
        long blocks = tiles(d, TILINGS.get(TILINGS.size() - 1).tile());
        int slices = 1;
        while (blocks * slices * 2 <= 2L * MIN_BLOCKS && d.k() % (slices * 2) == 0
                && d.k() / (slices * 2) >= MIN_SLICE_K) {
            slices *= 2;
        }
        return slices;
    }

    /** The batched product over {@code slices} slices of K that {@link #kSlices} splits {@code d} into. */
    static MatmulDims sliced(MatmulDims d, int slices) {
        int k = d.k() / slices;
        return new MatmulDims(slices, d.m(), d.n(), k, true, false, k * d.m(), k * d.n(),
                Shape.of(slices, d.m(), d.n()));
    }

    /** The kernel this launcher launches for {@code d}: the forced one, else the launch rule's. */
    String kernelFor(MatmulDims d) {
        return forced != null ? forced.kernel() : kernel(d);
    }

    /** c = op(a) op(b); c holds {@code d.outShape()} and is fully written. */
    void matmul(CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, MatmulDims d) {
        if (hasWork(d)) {
            String kernel = kernelFor(d);
            runner.launch(MODULE, kernel, config(d, kernel), args(a, b, c, d));
        }
    }
}

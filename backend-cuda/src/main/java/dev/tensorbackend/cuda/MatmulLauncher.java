package dev.tensorbackend.cuda;

import java.util.List;

import dev.tensorbackend.api.MatmulDims;
import jcuda.driver.CUdeviceptr;

/**
 * Kernel choice, grid arithmetic, argument packing and launch of {@code matmul.cu}.
 *
 * <p>Two kernels compute the same thing with the same per-element order of operations (so
 * either gives the same bits): {@code matmul_tile128}, a 128 x 128 tile of C per block of
 * 256 threads, is the fast one once there are enough tiles to occupy the GPU;
 * {@code matmul_tile64}, a 64 x 64 tile per block of 128 threads, makes four times as many
 * blocks and is used below that (see {@link #kernel}).
 */
final class MatmulLauncher {
    static final String MODULE = "matmul";
    static final String TILE128 = "matmul_tile128";
    static final String TILE64 = "matmul_tile64";
    static final List<String> KERNELS = List.of(TILE128, TILE64);

    /** Must match TILE128, THREADS128, TILE64 and THREADS64 in matmul.cu. */
    static final int LARGE_TILE = 128, LARGE_THREADS = 256, SMALL_TILE = 64, SMALL_THREADS = 128;

    /**
     * The 128 x 128 kernel is chosen when it makes at least this many blocks: the
     * multiprocessor count of an H100 or H200 (132). Below it some multiprocessors would get
     * no 128 x 128 tile at all, while the 64 x 64 kernel spreads four times as many blocks.
     */
    static final int LARGE_TILE_MIN_BLOCKS = 132;

    private final KernelRunner runner;

    MatmulLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    /** False when C is empty; K = 0 still needs the launch, which writes zeros. */
    static boolean hasWork(MatmulDims d) {
        return d.batch() > 0 && d.m() > 0 && d.n() > 0;
    }

    /** Tiles of {@code tile} x {@code tile} that cover C, over all batch entries. */
    static long tiles(MatmulDims d, int tile) {
        return LaunchConfig.ceilDiv(d.m(), tile) * LaunchConfig.ceilDiv(d.n(), tile) * d.batch();
    }

    /** {@link #TILE128} when its grid has at least {@link #LARGE_TILE_MIN_BLOCKS} blocks, else {@link #TILE64}. */
    static String kernel(MatmulDims d) {
        return tiles(d, LARGE_TILE) >= LARGE_TILE_MIN_BLOCKS ? TILE128 : TILE64;
    }

    /**
     * For {@code kernel}: x, one block per tile of columns of C; y, one per tile of rows; z,
     * one per batch entry; y and z capped at CUDA's 65535. The kernel walks the (batch entry,
     * tile row) pairs with a stride of gridDim.y * gridDim.z, so any y and z cover them.
     * Blocks are one-dimensional.
     */
    static LaunchConfig config(MatmulDims d, String kernel) {
        boolean large = kernel.equals(TILE128);
        if (!large && !kernel.equals(TILE64)) {
            throw new IllegalArgumentException("no matmul kernel " + kernel);
        }
        int tile = large ? LARGE_TILE : SMALL_TILE;
        int tilesN = (int) LaunchConfig.ceilDiv(d.n(), tile);
        int tilesM = (int) LaunchConfig.ceilDiv(d.m(), tile);
        return new LaunchConfig(tilesN, Math.min(tilesM, LaunchConfig.MAX_GRID_YZ),
                Math.min(d.batch(), LaunchConfig.MAX_GRID_YZ), large ? LARGE_THREADS : SMALL_THREADS, 1, 1, 0);
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

    /** c = op(a) op(b); c holds {@code d.outShape()} and is fully written. */
    void matmul(CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, MatmulDims d) {
        if (hasWork(d)) {
            String kernel = kernel(d);
            runner.launch(MODULE, kernel, config(d, kernel), args(a, b, c, d));
        }
    }
}

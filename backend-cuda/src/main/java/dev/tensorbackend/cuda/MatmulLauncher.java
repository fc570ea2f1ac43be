package dev.tensorbackend.cuda;

import java.util.List;

import dev.tensorbackend.api.MatmulDims;
import jcuda.driver.CUdeviceptr;

/** Grid arithmetic, argument packing and launch of {@code matmul.cu}. */
final class MatmulLauncher {
    static final String MODULE = "matmul";
    static final String TILED = "matmul_tiled";
    static final List<String> KERNELS = List.of(TILED);

    /** Must match TILE_M, TILE_N, THREADS_X and THREADS_Y in matmul.cu. */
    static final int TILE_M = 64, TILE_N = 64, THREADS_X = 16, THREADS_Y = 16;

    private final KernelRunner runner;

    MatmulLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    /** False when C is empty; K = 0 still needs the launch, which writes zeros. */
    static boolean hasWork(MatmulDims d) {
        return d.batch() > 0 && d.m() > 0 && d.n() > 0;
    }

    /**
     * x: one block per 64 columns of C; y: one per 64 rows, z: one per batch entry, both
     * capped at CUDA's 65535 (the kernel loops over tile rows and batch entries beyond).
     */
    static LaunchConfig config(MatmulDims d) {
        int tilesN = (int) LaunchConfig.ceilDiv(d.n(), TILE_N);
        int tilesM = (int) LaunchConfig.ceilDiv(d.m(), TILE_M);
        return new LaunchConfig(tilesN, Math.min(tilesM, LaunchConfig.MAX_GRID_YZ),
                Math.min(d.batch(), LaunchConfig.MAX_GRID_YZ), THREADS_X, THREADS_Y, 1, 0);
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
            runner.launch(MODULE, TILED, config(d), args(a, b, c, d));
        }
    }
}

package dev.tensorbackend.cuda;

import java.util.List;

import jcuda.driver.CUdeviceptr;

/**
 * Grid arithmetic, argument packing and launches of {@code softmax.cu}: a warp per row up to
 * {@link #WARP_ROW_LIMIT} columns (each lane then handles at most 32 of them), a block per
 * row beyond, where a warp alone would walk the row too many times.
 */
final class SoftmaxLauncher {
    static final String MODULE = "softmax";
    static final String FORWARD_WARP = "softmax_forward_warp";
    static final String FORWARD_BLOCK = "softmax_forward_block";
    static final String BACKWARD_WARP = "softmax_backward_warp";
    static final String BACKWARD_BLOCK = "softmax_backward_block";
    static final List<String> KERNELS = List.of(FORWARD_WARP, FORWARD_BLOCK, BACKWARD_WARP, BACKWARD_BLOCK);

    static final int WARP_ROW_LIMIT = 1024;
    static final int THREADS = 256;
    static final int WARP_SIZE = 32;
    static final int ROWS_PER_WARP_BLOCK = THREADS / WARP_SIZE;

    private final KernelRunner runner;

    SoftmaxLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    static boolean warpPerRow(int cols) {
        return cols <= WARP_ROW_LIMIT;
    }

    static LaunchConfig config(int rows, int cols) {
        if (warpPerRow(cols)) {
            return LaunchConfig.blockPerItem(LaunchConfig.ceilDiv(rows, ROWS_PER_WARP_BLOCK), THREADS);
        }
        return LaunchConfig.blockPerItem(rows, THREADS);
    }

    static String forwardKernel(int cols) {
        return warpPerRow(cols) ? FORWARD_WARP : FORWARD_BLOCK;
    }

    static String backwardKernel(int cols) {
        return warpPerRow(cols) ? BACKWARD_WARP : BACKWARD_BLOCK;
    }

    static KernelArgs forwardArgs(CUdeviceptr x, CUdeviceptr y, int rows, int cols) {
        return KernelArgs.create().pointer("x", x).pointer("y", y).intArg("rows", rows).intArg("cols", cols);
    }

    static KernelArgs backwardArgs(CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx, int rows, int cols) {
        return KernelArgs.create().pointer("y", y).pointer("dy", dy).pointer("dx", dx)
                .intArg("rows", rows).intArg("cols", cols);
    }

    void forward(CUdeviceptr x, CUdeviceptr y, int rows, int cols) {
        if (rows > 0 && cols > 0) {
            runner.launch(MODULE, forwardKernel(cols), config(rows, cols), forwardArgs(x, y, rows, cols));
        }
    }

    void backward(CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx, int rows, int cols) {
        if (rows > 0 && cols > 0) {
            runner.launch(MODULE, backwardKernel(cols), config(rows, cols), backwardArgs(y, dy, dx, rows, cols));
        }
    }
}

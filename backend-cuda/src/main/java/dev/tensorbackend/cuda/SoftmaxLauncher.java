package dev.tensorbackend.cuda;

import java.util.List;

import jcuda.driver.CUdeviceptr;

/**
 * Kernel choice, grid arithmetic, argument packing and launches of {@code softmax.cu}: a warp
 * per row up to {@link #WARP_ROW_LIMIT} columns (each lane then handles at most 32 of them), a
 * block per row beyond, where a warp alone would walk the row too many times. Beyond that limit
 * the forward pass runs {@link #FORWARD_FUSED} where the row fits its registers (up to
 * {@link #FUSED_MAX_COLS} columns) and {@link #FORWARD_BLOCK} for longer rows; see
 * {@link #forwardKernel}.
 */
final class SoftmaxLauncher {
    static final String MODULE = "softmax";
    static final String FORWARD_WARP = "softmax_forward_warp";
    static final String FORWARD_BLOCK = "softmax_forward_block";
    /** The streaming forward for long rows: 128-bit accesses, one (max, sum) reduction; see softmax.cu. */
    static final String FORWARD_FUSED = "softmax_forward_fused";
    static final String BACKWARD_WARP = "softmax_backward_warp";
    static final String BACKWARD_BLOCK = "softmax_backward_block";
    static final List<String> KERNELS = List.of(FORWARD_WARP, FORWARD_BLOCK, FORWARD_FUSED, BACKWARD_WARP, BACKWARD_BLOCK);

    static final int WARP_ROW_LIMIT = 1024;
    static final int THREADS = 256;
    static final int WARP_SIZE = 32;
    static final int ROWS_PER_WARP_BLOCK = THREADS / WARP_SIZE;
    /** Values each thread of the fused kernel holds in registers (SOFTMAX_FUSED_VALUES). */
    static final int FUSED_VALUES = 32;
    /** Most threads per block of the fused kernel (SOFTMAX_FUSED_THREADS, its launch bound). */
    static final int FUSED_MAX_THREADS = 256;
    /** The longest row the fused kernel takes: every thread of its largest block full. */
    static final int FUSED_MAX_COLS = FUSED_MAX_THREADS * FUSED_VALUES;

    /** System property, read when the backend is created: which forward kernel runs rows longer than {@value #WARP_ROW_LIMIT}. */
    static final String KERNEL_PROPERTY = "tensor.cuda.softmax.kernel";

    /** The values of {@value #KERNEL_PROPERTY}. Rows up to {@value #WARP_ROW_LIMIT} columns, and the backward pass, are the same for all. */
    enum Kernels {
        /** The launch rule ({@link #forwardKernel}): the fused kernel where the row fits it, else the block kernel. The default. */
        AUTO,
        /**
         * The block kernel for every row longer than {@value #WARP_ROW_LIMIT}, as before the
         * fused kernel existed: to time the two on the same shapes in one run.
         */
        BLOCK,
        /**
         * The fused kernel wherever it can run, which is exactly the rows up to
         * {@value #FUSED_MAX_COLS} columns (longer ones still take the block kernel): today the
         * same as {@code auto}; named so that a timing run says what it asked for, and so it stays
         * right if the rule ever narrows.
         */
        FUSED;

        /** The property's spelling. */
        String label() {
            return KernelChoices.label(this);
        }

        /** {@code auto} (or nothing), {@code block} or {@code fused}, any case; anything else is refused, listing these. */
        static Kernels parse(String value) {
            return KernelChoices.parse(Kernels.class, AUTO, value, KERNEL_PROPERTY, "softmax");
        }
    }

    private final KernelRunner runner;
    private final Kernels kernels;

    /** The launch rule's choice ({@link Kernels#AUTO}). */
    SoftmaxLauncher(KernelRunner runner) {
        this(runner, Kernels.AUTO);
    }

    SoftmaxLauncher(KernelRunner runner, Kernels kernels) {
        this.runner = runner;
        this.kernels = kernels;
    }

    Kernels kernels() {
        return kernels;
    }

    static boolean warpPerRow(int cols) {
        return cols <= WARP_ROW_LIMIT;
    }

    /**
     * Threads per block of the fused kernel for rows of {@code cols} (at most
     * {@value #FUSED_MAX_COLS}): as many whole warps as hold the row at {@value #FUSED_VALUES}
     * values each. A shorter row thus gets a smaller block with every thread full, not a
     * 256-thread block of part-empty threads: as many 128-bit loads in flight per thread as at
     * 8192 columns, more rows per multiprocessor (the registers, 64 a thread, are what limits
     * them), and fewer warps to reduce over.
     */
    static int fusedThreads(int cols) {
        if (cols < 1 || cols > FUSED_MAX_COLS) {
            throw new IllegalArgumentException("softmax forward: the fused kernel holds rows of 1 to " + FUSED_MAX_COLS
                    + " columns, not " + cols);
        }
        return (int) LaunchConfig.ceilDiv(LaunchConfig.ceilDiv(cols, FUSED_VALUES), WARP_SIZE) * WARP_SIZE;
    }

    /**
     * The forward kernel for rows of {@code cols}: the warp kernel up to {@value #WARP_ROW_LIMIT}
     * columns whatever the choice; beyond, the fused kernel for rows it holds in registers (up to
     * {@value #FUSED_MAX_COLS}) unless {@code block} is forced, and the block kernel's online
     * two-pass path for longer rows.
     */
    String forwardKernel(int cols) {
        if (warpPerRow(cols)) {
            return FORWARD_WARP;
        }
        return kernels != Kernels.BLOCK && cols <= FUSED_MAX_COLS ? FORWARD_FUSED : FORWARD_BLOCK;
    }

    /** The grid and block the forward kernel for rows of {@code cols} runs with. */
    LaunchConfig forwardConfig(int rows, int cols) {
        if (forwardKernel(cols).equals(FORWARD_FUSED)) {
            return LaunchConfig.blockPerItem(rows, fusedThreads(cols));
        }
        return config(rows, cols);
    }

    /** Warp and block kernels: 256 threads, a row per warp or a row per block. */
    static LaunchConfig config(int rows, int cols) {
        if (warpPerRow(cols)) {
            return LaunchConfig.blockPerItem(LaunchConfig.ceilDiv(rows, ROWS_PER_WARP_BLOCK), THREADS);
        }
        return LaunchConfig.blockPerItem(rows, THREADS);
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
            runner.launch(MODULE, forwardKernel(cols), forwardConfig(rows, cols), forwardArgs(x, y, rows, cols));
        }
    }

    void backward(CUdeviceptr y, CUdeviceptr dy, CUdeviceptr dx, int rows, int cols) {
        if (rows > 0 && cols > 0) {
            runner.launch(MODULE, backwardKernel(cols), config(rows, cols), backwardArgs(y, dy, dx, rows, cols));
        }
    }
}

package dev.tensorbackend.cuda;

import java.util.List;

import jcuda.driver.CUdeviceptr;

/** Grid arithmetic, argument packing and launches of {@code elementwise.cu}. */
final class ElementwiseLauncher {
    static final String MODULE = "elementwise";
    static final String ADD_BIAS = "add_bias";
    static final String SUM_TO_AXIS = "sum_to_axis";
    static final String RELU_FORWARD = "relu_forward";
    static final String RELU_BACKWARD = "relu_backward";
    static final String ADD = "add_elements";
    static final String MUL = "mul_elements";
    static final String SCALE = "scale_elements";
    static final String AXPY = "axpy";
    static final String SUM_BLOCKS = "sum_blocks";
    static final List<String> KERNELS = List.of(ADD_BIAS, SUM_TO_AXIS, RELU_FORWARD, RELU_BACKWARD, ADD, MUL, SCALE,
            AXPY, SUM_BLOCKS);

    static final int THREADS = 256;
    /**
     * Partial sums of a full {@code sum}: at most this many blocks in the first pass, so the
     * second pass is one block over at most this many values.
     */
    static final int MAX_SUM_PARTIALS = 1024;

    private final KernelRunner runner;

    ElementwiseLauncher(KernelRunner runner) {
        this.runner = runner;
    }

    void addBias(CUdeviceptr x, CUdeviceptr bias, CUdeviceptr y, int outer, int len, int inner) {
        long n = (long) outer * len * inner;
        if (n > 0) {
            runner.launch(MODULE, ADD_BIAS, LaunchConfig.linear(n, THREADS), KernelArgs.create()
                    .pointer("x", x).pointer("bias", bias).pointer("y", y)
                    .intArg("outer", outer).intArg("len", len).intArg("inner", inner));
        }
    }

    /** One block per output element; an empty outer or inner extent still writes zeros. */
    void sumToAxis(CUdeviceptr x, CUdeviceptr out, int outer, int len, int inner) {
        if (len > 0) {
            runner.launch(MODULE, SUM_TO_AXIS, LaunchConfig.blockPerItem(len, THREADS), KernelArgs.create()
                    .pointer("x", x).pointer("out", out)
                    .intArg("outer", outer).intArg("len", len).intArg("inner", inner));
        }
    }

    void relu(CUdeviceptr x, CUdeviceptr y, int n) {
        if (n > 0) {
            runner.launch(MODULE, RELU_FORWARD, LaunchConfig.linear(n, THREADS),
                    KernelArgs.create().pointer("x", x).pointer("y", y).intArg("n", n));
        }
    }

    void reluBackward(CUdeviceptr x, CUdeviceptr gradY, CUdeviceptr gradX, int n) {
        if (n > 0) {
            runner.launch(MODULE, RELU_BACKWARD, LaunchConfig.linear(n, THREADS),
                    KernelArgs.create().pointer("x", x).pointer("gradY", gradY).pointer("gradX", gradX).intArg("n", n));
        }
    }

    void add(CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, int n) {
        binary(ADD, a, b, c, n);
    }

    void mul(CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, int n) {
        binary(MUL, a, b, c, n);
    }

    private void binary(String kernel, CUdeviceptr a, CUdeviceptr b, CUdeviceptr c, int n) {
        if (n > 0) {
            runner.launch(MODULE, kernel, LaunchConfig.linear(n, THREADS),
                    KernelArgs.create().pointer("a", a).pointer("b", b).pointer("c", c).intArg("n", n));
        }
    }

    void scale(CUdeviceptr x, CUdeviceptr y, float alpha, int n) {
        if (n > 0) {
            runner.launch(MODULE, SCALE, LaunchConfig.linear(n, THREADS),
                    KernelArgs.create().pointer("x", x).pointer("y", y).floatArg("alpha", alpha).intArg("n", n));
        }
    }

    /** In place y += alpha * x; also the SGD update (alpha = -learningRate). */
    void axpy(float alpha, CUdeviceptr x, CUdeviceptr y, int n) {
        if (n > 0) {
            runner.launch(MODULE, AXPY, LaunchConfig.linear(n, THREADS),
                    KernelArgs.create().floatArg("alpha", alpha).pointer("x", x).pointer("y", y).intArg("n", n));
        }
    }

    /**
     * Blocks of the first pass of {@link #sum}, fixed by n alone so the order of additions
     * never changes; 1 means a single pass straight into the result.
     */
    static int sumPartials(int n) {
        return (int) Math.min(LaunchConfig.ceilDiv(Math.max(n, 1), THREADS), MAX_SUM_PARTIALS);
    }

    /**
     * out[0] = sum of x's n elements (n at least 1): the first pass writes
     * {@link #sumPartials}(n) partial sums into {@code partials} (that many floats; unused
     * when it is 1), the second adds them in one block.
     */
    void sum(CUdeviceptr x, CUdeviceptr partials, CUdeviceptr out, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("sum over " + n + " elements: write the zero instead");
        }
        int blocks = sumPartials(n);
        if (blocks == 1) {
            runner.launch(MODULE, SUM_BLOCKS, new LaunchConfig(1, 1, 1, THREADS, 1, 1, 0),
                    KernelArgs.create().pointer("x", x).pointer("out", out).intArg("n", n));
            return;
        }
        runner.launch(MODULE, SUM_BLOCKS, new LaunchConfig(blocks, 1, 1, THREADS, 1, 1, 0),
                KernelArgs.create().pointer("x", x).pointer("out", partials).intArg("n", n));
        runner.launch(MODULE, SUM_BLOCKS, new LaunchConfig(1, 1, 1, THREADS, 1, 1, 0),
                KernelArgs.create().pointer("x", partials).pointer("out", out).intArg("n", blocks));
    }
}

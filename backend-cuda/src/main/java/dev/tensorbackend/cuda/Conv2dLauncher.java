package dev.tensorbackend.cuda;

import java.util.List;

import dev.tensorbackend.api.Conv2dGeometry;
import jcuda.driver.CUdeviceptr;

/** Grid arithmetic, argument packing and launches of {@code conv2d.cu}. */
final class Conv2dLauncher {
    static final String MODULE = "conv2d";
    static final String FORWARD = "conv2d_forward";
    static final String BACKWARD_INPUT = "conv2d_backward_input";
    static final String BACKWARD_FILTER = "conv2d_backward_filter";
    static final List<String> KERNELS = List.of(FORWARD, BACKWARD_INPUT, BACKWARD_FILTER);

    static final int THREADS = 256;

    private final KernelRunner runner;

    Conv2dLauncher(KernelRunner runner) {
        this.runner = runner;
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

    /** One thread per output element. */
    static LaunchConfig forwardConfig(Conv2dGeometry g) {
        return LaunchConfig.linear(outputElements(g), THREADS);
    }

    /** One thread per input element. */
    static LaunchConfig backwardInputConfig(Conv2dGeometry g) {
        return LaunchConfig.linear(inputElements(g), THREADS);
    }

    /** One block per filter element; its threads share the batch and output positions. */
    static LaunchConfig backwardFilterConfig(Conv2dGeometry g) {
        return LaunchConfig.blockPerItem(filterElements(g), THREADS);
    }

    /** The three kernels share one signature: three tensors, then the geometry. */
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
        if (outputElements(g) > 0) {
            runner.launch(MODULE, FORWARD, forwardConfig(g), args("in", input, "f", filter, "out", output, g));
        }
    }

    void backwardInput(CUdeviceptr gradOutput, CUdeviceptr filter, CUdeviceptr gradInput, Conv2dGeometry g) {
        if (inputElements(g) > 0) {
            runner.launch(MODULE, BACKWARD_INPUT, backwardInputConfig(g),
                    args("gradOut", gradOutput, "f", filter, "gradIn", gradInput, g));
        }
    }

    void backwardFilter(CUdeviceptr input, CUdeviceptr gradOutput, CUdeviceptr gradFilter, Conv2dGeometry g) {
        if (filterElements(g) > 0) {
            runner.launch(MODULE, BACKWARD_FILTER, backwardFilterConfig(g),
                    args("in", input, "gradOut", gradOutput, "gradF", gradFilter, g));
        }
    }
}

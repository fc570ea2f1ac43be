package dev.tensorbackend.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch through DJL, set up the same way for every PyTorch benchmark: offline (the native
 * library comes from the pytorch-native-cpu jar on the class path, never from the network), and
 * with as many intra-op and inter-op threads as our CPU backend uses, so that both sides of an
 * ours/PyTorch ratio have the same cores. Compiled only under -Pbench (src/pytorch/java).
 */
public final class Torch {
    private Torch() {
    }

    /** Our CPU backend's thread count ({@link CpuThreads}). */
    static int threads() {
        return CpuThreads.count();
    }

    /** A manager on the CPU; the properties are set first because DJL reads them when the engine loads. */
    static NDManager open() {
        String n = Integer.toString(threads());
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", n);
        System.setProperty("ai.djl.pytorch.num_interop_threads", n);
        return NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch");
    }

    /** One line for the report: what ran, or an exception whose message says why it cannot. */
    public static String probe() {
        try (NDManager m = open(); NDArray a = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
             NDArray c = a.matMul(a)) {
            float[] v = c.toFloatArray();
            if (v[0] != 7 || v[3] != 22) {
                throw new IllegalStateException("PyTorch's 2x2 product came back wrong");
            }
            return "PyTorch " + Engine.getEngine("PyTorch").getVersion() + " through DJL " + Engine.getDjlVersion()
                    + ", CPU, " + threads() + " threads (as our CPU backend)";
        }
    }

    /** Seeded operand, the same values our backends get. */
    static NDArray create(NDManager m, dev.tensorbackend.api.Shape shape, long seed) {
        long[] dims = new long[shape.rank()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = shape.dim(i);
        }
        return m.create(dev.tensorbackend.bench.workload.Workloads.random(shape, seed), new Shape(dims));
    }

    /**
     * Runs autograd's backward pass from {@code out} with {@code gradOut} as its upstream gradient
     * (DJL's GradientCollector only seeds with ones): exactly the backward kernels of the graph.
     */
    static void backward(NDArray out, NDArray gradOut) {
        JniUtils.backward((PtNDArray) out, (PtNDArray) gradOut, false, false);
    }

    /** Autograd records operations only while this is on (DJL's collectors switch it per step). */
    static void gradMode(boolean on) {
        JniUtils.setGradMode(on);
    }
}

package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.api.TensorScope;
import dev.tensorbackend.api.Tolerance;
import dev.tensorbackend.api.check.CrossCheck;
import dev.tensorbackend.cpu.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * Convolutions with tiny filters (the direct kernels' shapes, {@link Conv2dLauncher#tinyFilter})
 * through {@link CudaBackend} with each {@code tensor.cuda.conv.kernel} choice: {@code auto}
 * (the direct kernels), {@code direct} and {@code gemm} (the implicit GEMMs on the same shapes),
 * each pass against the reference backend's loops, each run twice with the same bits (the
 * project's determinism), and auto equal to direct bit for bit. The backend's own suites reach
 * the GEMMs at these shapes only when forced, and the networks' layer at its real size only here.
 * Runs under the CPU emulation of the kernels and on the JCuda path where CUDA is usable: the
 * mock driver (the build's mock-driver run) and a GPU, which also takes the large training
 * network's layer at full size.
 */
class ConvKernelsTest {
    /** n, c, h, w, k, r, s, strideH, strideW, padH, padW: every one within the rule. */
    private static final int[][] TINY = {
            {1, 1, 4, 4, 1, 2, 2, 2, 2, 0, 0},     // the documented network's layer
            {4, 1, 128, 64, 1, 2, 2, 2, 2, 0, 0},  // the training networks' layer, smaller: 4 chunks of backward-filter
            {3, 1, 9, 7, 1, 2, 2, 2, 2, 0, 0},     // odd sizes: the last row and column no output reads
            {2, 1, 11, 13, 8, 2, 2, 2, 2, 0, 0},   // k = 8
            {2, 4, 7, 9, 3, 2, 2, 1, 1, 0, 0},     // c r s = 16, stride 1
            {2, 2, 6, 5, 3, 2, 2, 2, 2, 1, 1},     // padding
            {1, 1, 5, 5, 2, 3, 3, 1, 1, 1, 1},     // 3x3, same padding
            {2, 2, 8, 11, 5, 2, 2, 3, 3, 0, 0}};   // stride 3 > filter
    /** On a GPU also the large training network's layer itself (bench case train-large). */
    private static final int[] TRAIN_LARGE = {32, 1, 1024, 128, 1, 2, 2, 2, 2, 0, 0};

    @Test
    void everyChoiceMatchesTheReferenceUnderEmulation() {
        java.nio.file.Path server = EmulatedDevice.assumeServer();
        check(choice -> CudaBackend.on(EmulatedDevice.start(server), choice), List.of(TINY));
    }

    @Test
    void everyChoiceMatchesTheReferenceOnTheDriver() {
        GpuAssumptions.assumeCudaUsable();
        List<int[]> shapes = new ArrayList<>(List.of(TINY));
        if (!GpuAssumptions.onMockDriver()) {
            shapes.add(TRAIN_LARGE);
        }
        check(choice -> {
            Properties p = new Properties();
            p.putAll(System.getProperties());
            p.setProperty(CudaBackend.CONV_KERNEL_PROPERTY, choice.label());
            return CudaBackend.open(PtxResources.load(), p, System.err);
        }, shapes);
    }

    private static void check(Function<Conv2dLauncher.Kernels, CudaBackend> open, List<int[]> shapes) {
        try (Backend reference = new ReferenceBackend()) {
            List<float[][]> autoResults = new ArrayList<>();
            for (Conv2dLauncher.Kernels choice : Conv2dLauncher.Kernels.values()) {
                try (CudaBackend cuda = open.apply(choice)) {
                    assertEquals(choice.label(), cuda.convKernel());
                    for (int i = 0; i < shapes.size(); i++) {
                        float[][] results = checkShape(cuda, reference, shapes.get(i), choice);
                        if (choice == Conv2dLauncher.Kernels.AUTO) {
                            autoResults.add(results);
                        } else if (choice == Conv2dLauncher.Kernels.DIRECT) {
                            for (int pass = 0; pass < 3; pass++) {
                                assertArrayEquals(autoResults.get(i)[pass], results[pass],
                                        "direct against auto, pass " + pass + " " + Arrays.toString(shapes.get(i)));
                            }
                        }
                    }
                    assertEquals(0, cuda.liveAllocations(), "every tensor closed");
                }
            }
        }
    }

    /** The three passes' results (forward, backward-input, backward-filter), each checked. */
    private static float[][] checkShape(CudaBackend cuda, Backend reference, int[] g, Conv2dLauncher.Kernels choice) {
        Shape in = Shape.of(g[0], g[1], g[2], g[3]), fs = Shape.of(g[4], g[1], g[5], g[6]);
        ConvSpec spec = new ConvSpec(g[7], g[8], g[9], g[10]);
        Conv2dGeometry geometry = Conv2dGeometry.of("conv2d", in, fs, spec);
        assertTrue(Conv2dLauncher.tinyFilter(geometry), Arrays.toString(g));
        Shape out = geometry.outputShape();
        SplittableRandom random = new SplittableRandom(Arrays.hashCode(g));
        float[] x = values(in.size(), random), f = values(fs.size(), random), gy = values(out.size(), random);
        String what = choice.label() + " input" + in + " filter" + fs + " " + spec;
        float[][] results = new float[3][];
        List<BiFunction<Backend, TensorScope, Tensor>> passes = List.of(
                (b, s) -> b.conv2d(s.track(b.upload(in, x)), s.track(b.upload(fs, f)), spec),
                (b, s) -> b.conv2dBackwardInput(s.track(b.upload(out, gy)), s.track(b.upload(fs, f)), in, spec),
                (b, s) -> b.conv2dBackwardFilter(s.track(b.upload(in, x)), s.track(b.upload(out, gy)), fs, spec));
        Tolerance[] tolerances = {CrossCheck.reduction((long) g[1] * g[5] * g[6]), CrossCheck.reduction((long) g[4] * g[5] * g[6]),
                CrossCheck.reduction((long) g[0] * geometry.outH() * geometry.outW())};
        String[] names = {"conv2d", "conv2dBackwardInput", "conv2dBackwardFilter"};
        for (int pass = 0; pass < 3; pass++) {
            float[] expected = run(reference, passes.get(pass));
            float[] first = run(cuda, passes.get(pass));
            float[] second = run(cuda, passes.get(pass));
            Tolerance.Comparison cmp = tolerances[pass].compare(expected, first);
            final int p = pass;
            assertTrue(cmp.passed(), () -> names[p] + " " + what + ": " + cmp);
            assertArrayEquals(first, second, () -> names[p] + " " + what + ": a second run gave other bits");
            results[pass] = first;
        }
        return results;
    }

    /** The pass's result as an array; its inputs and result closed. */
    private static float[] run(Backend backend, BiFunction<Backend, TensorScope, Tensor> pass) {
        try (TensorScope scope = new TensorScope()) {
            return scope.track(pass.apply(backend, scope)).toArray();
        }
    }

    private static float[] values(long n, SplittableRandom random) {
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }
}

package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.function.Function;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.api.TensorScope;
import dev.tensorbackend.api.Tolerance;
import dev.tensorbackend.api.check.CrossCheck;
import dev.tensorbackend.cpu.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * The softmax forward pass over rows longer than the warp kernels take (the fused and block
 * kernels' shapes) through {@link CudaBackend} with each {@code tensor.cuda.softmax.kernel}
 * choice: {@code auto} (the fused kernel up to 8192 columns), {@code fused} and {@code block}
 * (the kernel the fused one replaced), each against the reference backend's loops with the
 * cross-check's softmax tolerance, each run twice with the same bits, and fused equal to auto bit
 * for bit. The inputs carry the special values the reference has rules for (NaN, rows of -inf,
 * +inf, values far below zero, magnitudes near the float maximum), at row lengths that are and
 * are not multiples of 4 (the 128-bit and the 4-byte paths), just past the warp kernels' 1024,
 * at 8192 (the H200 case's rows) and past it. Runs under the CPU emulation of the kernels and on
 * the JCuda path where CUDA is usable: the mock driver (the build's mock-driver run) and a GPU,
 * which also takes 2048 rows of the [8192, 8192] case.
 */
class SoftmaxKernelsTest {
    /** rows, cols; every row count at least 7, so that every special row below is there. */
    private static final int[][] SHAPES = {
            {7, 1025},   // just past the warp kernels, 4-byte path, 64 threads
            {8, 1028},   // the same, 128-bit path
            {9, 2048},   // every thread of a 64-thread block full
            {7, 3001},   // ragged, 4-byte
            {8, 4100},   // 160 threads, 128-bit
            {7, 8191},   // the longest 4-byte row the fused kernel takes
            {8, 8192},   // the H200 case's row length: 128-bit, 256 threads
            {7, 8193},   // one past: the block kernel's online two-pass path under every choice
            {7, 9001}};
    /**
     * On a GPU also rows of the issue's [8192, 8192] case, 2048 of them: many more blocks than
     * the GPU holds at once (a quarter of the full case, which the kernel lab checks too).
     */
    private static final int[] H200_ROWS = {2048, 8192};

    @Test
    void everyChoiceMatchesTheReferenceUnderEmulation() {
        java.nio.file.Path server = EmulatedDevice.assumeServer();
        check(choice -> CudaBackend.on(EmulatedDevice.start(server), choice), List.of(SHAPES));
    }

    @Test
    void everyChoiceMatchesTheReferenceOnTheDriver() {
        GpuAssumptions.assumeCudaUsable();
        List<int[]> shapes = new ArrayList<>(List.of(SHAPES));
        if (!GpuAssumptions.onMockDriver()) {
            shapes.add(H200_ROWS);
        }
        check(choice -> {
            Properties p = new Properties();
            p.putAll(System.getProperties());
            p.setProperty(CudaBackend.SOFTMAX_KERNEL_PROPERTY, choice.label());
            return CudaBackend.open(PtxResources.load(), p, System.err);
        }, shapes);
    }

    private static void check(Function<SoftmaxLauncher.Kernels, CudaBackend> open, List<int[]> shapes) {
        try (Backend reference = new ReferenceBackend()) {
            List<float[]> expected = new ArrayList<>();
            for (int[] s : shapes) {
                expected.add(run(reference, s));
            }
            List<float[]> autoResults = new ArrayList<>();
            for (SoftmaxLauncher.Kernels choice : SoftmaxLauncher.Kernels.values()) {
                try (CudaBackend cuda = open.apply(choice)) {
                    assertEquals(choice.label(), cuda.softmaxKernel());
                    for (int i = 0; i < shapes.size(); i++) {
                        String what = "softmax " + choice.label() + " " + Arrays.toString(shapes.get(i));
                        float[] first = run(cuda, shapes.get(i));
                        Tolerance.Comparison cmp = CrossCheck.SOFTMAX.compare(expected.get(i), first);
                        assertTrue(cmp.passed(), () -> what + ": " + cmp);
                        assertArrayEquals(first, run(cuda, shapes.get(i)), () -> what + ": a second run gave other bits");
                        if (choice == SoftmaxLauncher.Kernels.AUTO) {
                            autoResults.add(first);
                        } else if (choice == SoftmaxLauncher.Kernels.FUSED) {
                            assertArrayEquals(autoResults.get(i), first, () -> what + " against auto");
                        }
                    }
                    assertEquals(0, cuda.liveAllocations(), "every tensor closed");
                }
            }
        }
    }

    /** The forward pass of {@link #inputs}; its input and result closed. */
    private static float[] run(Backend backend, int[] shape) {
        Shape s = Shape.of(shape);
        try (TensorScope scope = new TensorScope()) {
            return scope.track(backend.softmax(scope.track(backend.upload(s, inputs(shape[0], shape[1]))))).toArray();
        }
    }

    /**
     * Random values in [-1, 1) scaled by a size that grows with the row (1 to 50, where a rounded
     * x - max starts to matter), and the rows with special values:
     * 0: one -inf (exp gives 0 there); 1: one NaN (the row is NaN); 2: all -inf (the row is NaN,
     * as exp(-inf - -inf) is); 3: one +inf (the row is NaN); 4: -inf but for its last value, so that
     * almost every GPU thread holds only -inf; 5: far below zero (exp underflows unless the row's
     * own maximum is subtracted); 6: magnitudes up to 3e38, where x - max overflows to -inf in float.
     */
    static float[] inputs(int rows, int cols) {
        SplittableRandom random = new SplittableRandom(31L * rows + cols);
        float scale = 1 + (cols % 50);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1) * scale;
        }
        x[cols / 3] = Float.NEGATIVE_INFINITY;
        x[cols + cols / 2] = Float.NaN;
        Arrays.fill(x, 2 * cols, 3 * cols, Float.NEGATIVE_INFINITY);
        x[4 * cols - 1] = Float.POSITIVE_INFINITY;
        Arrays.fill(x, 4 * cols, 5 * cols - 1, Float.NEGATIVE_INFINITY);
        for (int c = 5 * cols; c < 6 * cols; c++) {
            x[c] = -Math.abs(x[c]) - 200;
        }
        for (int c = 6 * cols; c < 7 * cols; c++) {
            x[c] = x[c] / scale * 3e38f;
        }
        return x;
    }

    @Test
    void theSpecialRowsAreWhatTheReferenceSaysTheyAre() {
        // guards the inputs above: if a special row stopped being special, the test would prove less
        try (Backend reference = new ReferenceBackend()) {
            int cols = 1025;
            float[] y = run(reference, new int[] {7, cols});
            assertEquals(0f, y[cols / 3], "row 0: -inf gives 0");
            for (int row : new int[] {1, 2, 3}) {
                for (int c = 0; c < cols; c++) {
                    assertTrue(Float.isNaN(y[row * cols + c]), "row " + row + " is NaN");
                }
            }
            assertEquals(1f, y[5 * cols - 1], "row 4: one finite value takes it all");
            assertEquals(0f, y[4 * cols], "row 4: -inf gives 0");
            double sum5 = 0;
            for (int c = 5 * cols; c < 6 * cols; c++) {
                sum5 += y[c];
            }
            assertEquals(1.0, sum5, 1e-5, "row 5 far below zero still sums to 1");
        }
    }
}

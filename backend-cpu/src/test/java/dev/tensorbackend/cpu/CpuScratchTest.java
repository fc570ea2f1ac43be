package dev.tensorbackend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.BackendException;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Scratch kept between calls is capped and dropped at close; oversized scratch is a named error. */
class CpuScratchTest {
    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    /** A strided convolution and its input gradient (the patch-gradient scratch) and a matmul (packing). */
    private static float[] work(CpuBackend cpu) {
        Random rnd = new Random(1);
        Shape in = Shape.of(2, 8, 40, 40), fs = Shape.of(8, 8, 3, 3);
        ConvSpec spec = ConvSpec.of(2, 1);
        Tensor x = cpu.upload(in, random(rnd, in.size())), f = cpu.upload(fs, random(rnd, fs.size()));
        Tensor y = cpu.conv2d(x, f, spec);
        Tensor dx = cpu.conv2dBackwardInput(y, f, in, spec);
        Tensor m = cpu.matmul(cpu.upload(Shape.of(64, 64), random(rnd, 4096)), cpu.upload(Shape.of(64, 64), random(rnd, 4096)));
        float[] out = dx.toArray();
        float[] mm = m.toArray();
        float[] all = java.util.Arrays.copyOf(out, out.length + mm.length);
        System.arraycopy(mm, 0, all, out.length, mm.length);
        return all;
    }

    @Test
    void scratchIsKeptWhileOpenAndDroppedAtClose() {
        CpuBackend cpu = new CpuBackend(FastKernelSelection.kernels(), TestKernels.ONE_THREAD);
        work(cpu);
        // one thread: an image copy of 8 x 42 x 42 floats, a patch-gradient matrix of 72 x 400, the packing buffers
        long kept = cpu.retainedScratchBytes();
        assertTrue(kept >= (8L * 42 * 42 + 72 * 400) * Float.BYTES, "scratch kept between calls: " + kept);
        cpu.close();
        assertEquals(0, cpu.retainedScratchBytes(), "close drops every scratch buffer");
    }

    @Test
    void scratchAboveTheCapIsNotKeptAndResultsAreTheSame() {
        float[] expected;
        try (CpuBackend roomy = new CpuBackend(FastKernelSelection.kernels(), TestKernels.ONE_THREAD)) {
            expected = work(roomy);
        }
        int cap = 1000; // floats: both conv buffers are larger, so neither is kept
        try (CpuBackend capped = new CpuBackend(FastKernelSelection.kernels(), TestKernels.ONE_THREAD, cap)) {
            assertArrayEquals(expected, work(capped));
            long gemmOnly = capped.retainedScratchBytes();
            // what stays is the GEMM's packing, bounded by its block sizes whatever the problem size
            long packingBound = (long) (Gemm.DEFAULT_MC * Gemm.DEFAULT_KC + Gemm.DEFAULT_NC * Gemm.DEFAULT_KC + 1024) * Float.BYTES;
            assertTrue(gemmOnly <= packingBound, "kept " + gemmOnly + " bytes, bound " + packingBound);
        }
    }

    /**
     * Input and output fit easily (1 x 1 images of 65 channels, 3 x 3 output through a stride
     * of 30000), but the zero-bordered copy the GEMM path makes would hold 65 x 60001^2 floats:
     * a BackendException naming the op and the sizes, where a wrapped int once gave an
     * IllegalArgumentException. The reference backend, which makes no copy, computes it, and
     * so does the fast path for a filter small enough to be convolved directly.
     */
    @Test
    void scratchPastIntIsANamedErrorNotAWrappedIndex() {
        ConvSpec spec = ConvSpec.of(30000, 30000);
        int channels = FastConv.DIRECT_FILTER_MAX + 1; // one filter entry too many for the direct path
        float[] twos = new float[channels], threes = new float[channels];
        Arrays.fill(twos, 2);
        Arrays.fill(threes, 3);
        try (CpuBackend cpu = new CpuBackend(); ReferenceBackend ref = new ReferenceBackend()) {
            Tensor x = cpu.upload(Shape.of(1, channels, 1, 1), twos);
            Tensor f = cpu.upload(Shape.of(1, channels, 1, 1), threes);
            BackendException e = assertThrows(BackendException.class, () -> cpu.conv2d(x, f, spec));
            assertTrue(e.getMessage().startsWith("conv2d: one zero-bordered image of input[1, 65, 1, 1] with padding (30000, 30000)")
                    && e.getMessage().contains("65 x 60001 x 60001"), e.getMessage());
            assertEquals(channels, cpu.relu(x).toArray().length, "the backend stays usable");
            float[] y = ref.conv2d(ref.upload(Shape.of(1, channels, 1, 1), twos), ref.upload(Shape.of(1, channels, 1, 1), threes), spec)
                    .toArray();
            assertArrayEquals(new float[] {0, 0, 0, 0, 390, 0, 0, 0, 0}, y);
            Tensor x1 = cpu.upload(Shape.of(1, 1, 1, 1), new float[] {2});
            Tensor f1 = cpu.upload(Shape.of(1, 1, 1, 1), new float[] {3});
            assertArrayEquals(new float[] {0, 0, 0, 0, 6, 0, 0, 0, 0}, cpu.conv2d(x1, f1, spec).toArray(), "a 1x1 filter, direct");
        }
    }
}

package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.ShadowBackend;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.api.TensorScope;
import dev.tensorbackend.cpu.CpuBackend;
import dev.tensorbackend.cpu.ReferenceBackend;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * CUDA (our kernels on the emulated device) shadowed by the reference backend and by the CPU
 * backend: a program of every kind of op runs without a divergence, and its results are the
 * CUDA backend's own, bit for bit.
 */
class EmulatedShadowTest {
    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    private static float[] program(Backend b) {
        Random rnd = new Random(42);
        try (TensorScope s = new TensorScope()) {
            Tensor x = s.track(b.upload(Shape.of(2, 3, 7, 6), random(rnd, 252)));
            Tensor f = s.track(b.upload(Shape.of(4, 3, 3, 3), random(rnd, 108)));
            ConvSpec spec = ConvSpec.of(1, 1);
            Tensor y = s.track(b.relu(s.track(b.addBias(s.track(b.conv2d(x, f, spec)), s.track(b.upload(Shape.of(4), random(rnd, 4))), 1))));
            Tensor m = s.track(b.reshape(y, Shape.of(8, 42)));
            Tensor p = s.track(b.softmax(s.track(b.matmul(m, false, m, true))));
            Tensor dp = s.track(b.softmaxBackward(p, s.track(b.scale(p, 3))));
            Tensor gf = s.track(b.conv2dBackwardFilter(x, y, f.shape(), spec));
            Tensor gi = s.track(b.conv2dBackwardInput(y, f, x.shape(), spec));
            b.axpy(-0.1f, gf, f);
            float[] parts = new float[] {s.track(b.sum(dp)).toArray()[0], s.track(b.sum(gi)).toArray()[0],
                    s.track(b.sumToAxis(y, 1)).toArray()[2]};
            float[] fv = f.toArray();
            float[] all = java.util.Arrays.copyOf(parts, parts.length + fv.length);
            System.arraycopy(fv, 0, all, parts.length, fv.length);
            return all;
        }
    }

    private static float[] runShadowed(Supplier<Backend> shadow) {
        try (ShadowBackend b = new ShadowBackend(CudaBackend.on(EmulatedDevice.start(EmulatedDevice.assumeServer())), shadow.get())) {
            float[] out = program(b);
            assertTrue(b.opCount() > 15, "every op was shadowed: " + b.opCount());
            return out;
        }
    }

    @Test
    void cudaShadowedByReferenceAndByCpuRunsTheProgramAndKeepsCudasResults() {
        float[] alone;
        try (CudaBackend cuda = CudaBackend.on(EmulatedDevice.start(EmulatedDevice.assumeServer()))) {
            alone = program(cuda);
        }
        assertArrayEquals(alone, runShadowed(ReferenceBackend::new), "shadowed by reference");
        assertArrayEquals(alone, runShadowed(CpuBackend::new), "shadowed by cpu");
        assertEquals(3 + 108, alone.length);
    }
}

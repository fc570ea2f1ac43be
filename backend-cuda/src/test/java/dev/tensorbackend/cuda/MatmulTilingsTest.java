package dev.tensorbackend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.Shape;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/**
 * Every matmul kernel (the launch rule's tilings and the warp-tiled variants), launched as
 * MatmulLauncher configures it, whichever the launcher would pick for the shape: the
 * backend's own tests reach a tiling only at the sizes the launch rule gives it (small ones:
 * mostly 32 x 32), so the larger tiles are forced here. Each
 * element of C must equal, bit for bit, the float fma chain over k in order, the kernels'
 * documented summation, so the tilings also agree with each other exactly. Runs under the
 * CPU emulation of the kernels and, where CUDA is usable, on the GPU at larger shapes.
 */
class MatmulTilingsTest {

    /** m, k, n, batch (0: unbatched): small enough for the emulation. */
    private static final int[][] EMULATED = {{1, 1, 1, 0}, {37, 71, 53, 0}, {64, 36, 68, 0}, {33, 17, 65, 3}, {4, 0, 8, 2},
            {130, 20, 260, 0}};

    /** On a GPU: beyond one 128 x 128 (and 128 x 256) tile in every dimension, ragged and aligned. */
    private static final int[][] ON_GPU = {{1, 1, 1, 0}, {257, 300, 190, 0}, {1031, 67, 1029, 0}, {256, 64, 384, 0},
            {300, 129, 250, 3}, {128, 64, 128, 7}, {5, 0, 7, 2}, {136, 100, 520, 0}};

    @Test
    void everyTilingGivesTheFmaChainUnderEmulation() {
        EmulatedDevice device = EmulatedDevice.start(EmulatedDevice.assumeServer());
        try {
            checkEveryTiling(device, EMULATED);
        } finally {
            device.close();
        }
    }

    @Test
    void everyTilingGivesTheFmaChainOnTheGpu() {
        GpuAssumptions.assumeCudaUsable();
        CudaContext device = CudaContext.open(PtxResources.load(), true); // synchronises after every launch
        try {
            checkEveryTiling(device, ON_GPU);
        } finally {
            device.close();
        }
    }

    /** Each shape with every transpose and, when batched, each operand batched or shared. */
    private static void checkEveryTiling(Device device, int[][] shapes) {
        SplittableRandom random = new SplittableRandom(20261126);
        for (int[] s : shapes) {
            int m = s[0], k = s[1], n = s[2], batch = s[3];
            for (int flags = 0; flags < 4; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
                Shape a2 = ta ? Shape.of(k, m) : Shape.of(m, k), b2 = tb ? Shape.of(n, k) : Shape.of(k, n);
                List<Shape[]> operands = new ArrayList<>();
                if (batch == 0) {
                    operands.add(new Shape[] {a2, b2});
                } else {
                    Shape a3 = Shape.of(batch, a2.dim(0), a2.dim(1)), b3 = Shape.of(batch, b2.dim(0), b2.dim(1));
                    operands.add(new Shape[] {a3, b3});
                    operands.add(new Shape[] {a2, b3});
                    operands.add(new Shape[] {a3, b2});
                }
                for (Shape[] ab : operands) {
                    check(device, MatmulDims.of(ab[0], ta, ab[1], tb), ab[0], ab[1], random);
                }
            }
        }
    }

    private static void check(Device device, MatmulDims d, Shape aShape, Shape bShape, SplittableRandom random) {
        float[] a = values(aShape.size(), random), b = values(bShape.size(), random);
        float[] expected = fmaChain(d, a, b);
        CUdeviceptr da = device.allocateRaw(4L * Math.max(a.length, 1)), db = device.allocateRaw(4L * Math.max(b.length, 1));
        CUdeviceptr dc = device.allocateRaw(4L * Math.max(expected.length, 1));
        try {
            if (a.length > 0) {
                device.copyToDevice(da, a);
            }
            if (b.length > 0) {
                device.copyToDevice(db, b);
            }
            for (MatmulLauncher.Tiling t : MatmulLauncher.ALL) {
                String what = t.kernel() + " " + aShape + (d.transA() ? "^T" : "") + " x " + bShape + (d.transB() ? "^T" : "");
                device.copyToDevice(dc, nans(expected.length)); // what the kernel leaves unwritten shows
                device.launch(MatmulLauncher.MODULE, t.kernel(), MatmulLauncher.config(d, t.kernel()),
                        MatmulLauncher.args(da, db, dc, d));
                float[] actual = new float[expected.length];
                device.copyToHost(actual, dc, what);
                assertArrayEquals(expected, actual, what);
            }
        } finally {
            device.freeRaw(da);
            device.freeRaw(db);
            device.freeRaw(dc);
        }
    }

    /** C[b][i][j] = fma(op(A)[i][k-1], op(B)[k-1][j], ... fma(op(A)[i][0], op(B)[0][j], 0)), in float. */
    static float[] fmaChain(MatmulDims d, float[] a, float[] b) {
        int m = d.m(), n = d.n(), k = d.k();
        float[] c = new float[d.batch() * m * n];
        for (int e = 0; e < d.batch(); e++) {
            int ao = e * d.aBatchStride(), bo = e * d.bBatchStride();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float acc = 0f;
                    for (int p = 0; p < k; p++) {
                        float av = d.transA() ? a[ao + p * m + i] : a[ao + i * k + p];
                        float bv = d.transB() ? b[bo + j * k + p] : b[bo + p * n + j];
                        acc = Math.fma(av, bv, acc);
                    }
                    c[(e * m + i) * n + j] = acc;
                }
            }
        }
        return c;
    }

    private static float[] values(int count, SplittableRandom random) {
        float[] v = new float[count];
        for (int i = 0; i < count; i++) {
            v[i] = (float) (random.nextDouble() * 2 - 1);
        }
        return v;
    }

    private static float[] nans(int count) {
        float[] v = new float[count];
        java.util.Arrays.fill(v, Float.NaN);
        return v;
    }
}

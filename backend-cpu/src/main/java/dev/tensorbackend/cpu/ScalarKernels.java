package dev.tensorbackend.cpu;

/**
 * {@link FastKernels} in plain Java, for JVMs started without {@code jdk.incubator.vector}.
 * Still blocked and multi-threaded through the drivers; only the innermost loops lose SIMD.
 */
final class ScalarKernels implements FastKernels {
    /** 4 x 4 accumulators stay in scalar registers; each loaded value is used four times. */
    private static final int MR = 4;
    private static final int NR = 4;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int mr() {
        return MR;
    }

    @Override
    public int nr() {
        return NR;
    }

    @Override
    public void microKernel(int kc, float[] a, int aOff, float[] b, int bOff, int[] bRows, float[] c, int cOff, int ldc,
                            boolean overwrite) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++) {
            int ai = aOff + p * MR, bi = bOff + bRows[p];
            float b0 = b[bi], b1 = b[bi + 1], b2 = b[bi + 2], b3 = b[bi + 3];
            float a0 = a[ai];
            c00 += a0 * b0;
            c01 += a0 * b1;
            c02 += a0 * b2;
            c03 += a0 * b3;
            float a1 = a[ai + 1];
            c10 += a1 * b0;
            c11 += a1 * b1;
            c12 += a1 * b2;
            c13 += a1 * b3;
            float a2 = a[ai + 2];
            c20 += a2 * b0;
            c21 += a2 * b1;
            c22 += a2 * b2;
            c23 += a2 * b3;
            float a3 = a[ai + 3];
            c30 += a3 * b0;
            c31 += a3 * b1;
            c32 += a3 * b2;
            c33 += a3 * b3;
        }
        store(c, cOff, c00, c01, c02, c03, overwrite);
        store(c, cOff + ldc, c10, c11, c12, c13, overwrite);
        store(c, cOff + 2 * ldc, c20, c21, c22, c23, overwrite);
        store(c, cOff + 3 * ldc, c30, c31, c32, c33, overwrite);
    }

    private static void store(float[] c, int off, float v0, float v1, float v2, float v3, boolean overwrite) {
        c[off] = overwrite ? v0 : c[off] + v0;
        c[off + 1] = overwrite ? v1 : c[off + 1] + v1;
        c[off + 2] = overwrite ? v2 : c[off + 2] + v2;
        c[off + 3] = overwrite ? v3 : c[off + 3] + v3;
    }

    @Override
    public void gatherMicroKernel(int kc, float[] a, int[] aRows, int rowsOff, int[] aCols, int firstCol,
                                  float[] b, int bOff, float[] c, int cOff, int ldc, boolean overwrite) {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0;
        float c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0;
        float c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        int t0 = aRows[rowsOff], t1 = aRows[rowsOff + 1], t2 = aRows[rowsOff + 2], t3 = aRows[rowsOff + 3];
        for (int q = 0; q < kc; q++) {
            int col = aCols[firstCol + q], bi = bOff + q * NR;
            float b0 = b[bi], b1 = b[bi + 1], b2 = b[bi + 2], b3 = b[bi + 3];
            float a0 = a[t0 + col], a1 = a[t1 + col], a2 = a[t2 + col], a3 = a[t3 + col];
            c00 += a0 * b0;
            c01 += a0 * b1;
            c02 += a0 * b2;
            c03 += a0 * b3;
            c10 += a1 * b0;
            c11 += a1 * b1;
            c12 += a1 * b2;
            c13 += a1 * b3;
            c20 += a2 * b0;
            c21 += a2 * b1;
            c22 += a2 * b2;
            c23 += a2 * b3;
            c30 += a3 * b0;
            c31 += a3 * b1;
            c32 += a3 * b2;
            c33 += a3 * b3;
        }
        store(c, cOff, c00, c01, c02, c03, overwrite);
        store(c, cOff + ldc, c10, c11, c12, c13, overwrite);
        store(c, cOff + 2 * ldc, c20, c21, c22, c23, overwrite);
        store(c, cOff + 3 * ldc, c30, c31, c32, c33, overwrite);
    }

    @Override
    public void add(float[] a, int a0, float[] b, int b0, float[] out, int o, int len) {
        for (int i = 0; i < len; i++) {
            out[o + i] = a[a0 + i] + b[b0 + i];
        }
    }

    @Override
    public void mul(float[] a, float[] b, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = a[i] * b[i];
        }
    }

    @Override
    public void scale(float alpha, float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = alpha * x[i];
        }
    }

    @Override
    public void axpy(float alpha, float[] x, float[] y, int from, int to) {
        for (int i = from; i < to; i++) {
            y[i] += alpha * x[i];
        }
    }

    @Override
    public void addScalar(float[] x, int x0, float value, float[] out, int o, int len) {
        for (int i = 0; i < len; i++) {
            out[o + i] = x[x0 + i] + value;
        }
    }

    @Override
    public void relu(float[] x, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = x[i] > 0 || Float.isNaN(x[i]) ? x[i] : 0f;
        }
    }

    @Override
    public void reluBackward(float[] x, float[] dy, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = x[i] > 0 ? dy[i] : Float.isNaN(x[i]) ? Float.NaN : 0f;
        }
    }

    @Override
    public float sum(float[] x, int from, int to) {
        // four independent partial sums break the add latency chain
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
        }
        for (; i < to; i++) {
            s0 += x[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    @Override
    public void softmaxRows(float[] x, float[] y, int off, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            softmaxRow(x, y, off + r * cols, cols);
        }
    }

    private static void softmaxRow(float[] x, float[] y, int off, int cols) {
        int end = off + cols;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < end; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0;
        for (int i = off; i < end; i++) {
            y[i] = FloatExp.expOfDifference(x[i], max);
            sum += y[i];
        }
        float inv = 1f / sum;
        for (int i = off; i < end; i++) {
            y[i] *= inv;
        }
    }

    @Override
    public void softmaxBackwardRows(float[] y, float[] dy, float[] dx, int off, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            softmaxBackwardRow(y, dy, dx, off + r * cols, cols);
        }
    }

    private static void softmaxBackwardRow(float[] y, float[] dy, float[] dx, int off, int cols) {
        int end = off + cols;
        float dot = 0;
        for (int i = off; i < end; i++) {
            dot += dy[i] * y[i];
        }
        for (int i = off; i < end; i++) {
            dx[i] = y[i] * (dy[i] - dot);
        }
    }
}

package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.MatmulDims;

/**
 * The oracle: every op as the plainest loops that state its definition, accumulating in
 * double. Every other implementation (fast CPU paths, CUDA kernels) is checked against
 * these. Keep them obviously right rather than fast.
 */
final class ReferenceKernels {
    private ReferenceKernels() {
    }

    /** c[b] = op(a[b]) op(b[b]); see {@link MatmulDims} for storage and batching. */
    static float[] matmul(float[] a, float[] b, MatmulDims d) {
        float[] c = new float[d.batch() * d.m() * d.n()];
        for (int batch = 0; batch < d.batch(); batch++) {
            int aOff = batch * d.aBatchStride(), bOff = batch * d.bBatchStride(), cOff = batch * d.m() * d.n();
            for (int i = 0; i < d.m(); i++) {
                for (int j = 0; j < d.n(); j++) {
                    double acc = 0;
                    for (int p = 0; p < d.k(); p++) {
                        float av = d.transA() ? a[aOff + p * d.m() + i] : a[aOff + i * d.k() + p];
                        float bv = d.transB() ? b[bOff + j * d.k() + p] : b[bOff + p * d.n() + j];
                        acc += (double) av * bv;
                    }
                    c[cOff + i * d.n() + j] = (float) acc;
                }
            }
        }
        return c;
    }

    /** out[b,o,y,x] = sum of in[b,ch,iy,ix] * f[o,ch,i,j] over the taps that land inside the input. */
    static float[] conv2d(float[] in, float[] f, Conv2dGeometry g) {
        double[] acc = new double[g.n() * g.k() * g.outH() * g.outW()];
        forEachTap(g, (b, o, y, x, ch, i, j, iy, ix) ->
                acc[outputIndex(g, b, o, y, x)] += (double) in[inputIndex(g, b, ch, iy, ix)] * f[filterIndex(g, o, ch, i, j)]);
        return toFloat(acc);
    }

    /** dInput[b,ch,iy,ix] = sum of dOut[b,o,y,x] * f[o,ch,i,j] over the outputs that read (iy,ix). */
    static float[] conv2dGradInput(float[] gradOut, float[] f, Conv2dGeometry g) {
        double[] acc = new double[g.n() * g.c() * g.h() * g.w()];
        forEachTap(g, (b, o, y, x, ch, i, j, iy, ix) ->
                acc[inputIndex(g, b, ch, iy, ix)] += (double) gradOut[outputIndex(g, b, o, y, x)] * f[filterIndex(g, o, ch, i, j)]);
        return toFloat(acc);
    }

    /** dFilter[o,ch,i,j] = sum of dOut[b,o,y,x] * in[b,ch,iy,ix] over batch and output positions. */
    static float[] conv2dGradFilter(float[] in, float[] gradOut, Conv2dGeometry g) {
        double[] acc = new double[g.k() * g.c() * g.r() * g.s()];
        forEachTap(g, (b, o, y, x, ch, i, j, iy, ix) ->
                acc[filterIndex(g, o, ch, i, j)] += (double) gradOut[outputIndex(g, b, o, y, x)] * in[inputIndex(g, b, ch, iy, ix)]);
        return toFloat(acc);
    }

    /** One multiply of the convolution: output (b,o,y,x) reads input (b,ch,iy,ix) with filter tap (o,ch,i,j). */
    private interface Tap {
        void visit(int b, int o, int y, int x, int ch, int i, int j, int iy, int ix);
    }

    /**
     * Visits every multiply of the convolution that touches the input (taps on the zero
     * padding contribute nothing); all three passes are sums over these same multiplies.
     */
    private static void forEachTap(Conv2dGeometry g, Tap tap) {
        for (int b = 0; b < g.n(); b++) {
            for (int o = 0; o < g.k(); o++) {
                for (int y = 0; y < g.outH(); y++) {
                    for (int x = 0; x < g.outW(); x++) {
                        for (int ch = 0; ch < g.c(); ch++) {
                            for (int i = 0; i < g.r(); i++) {
                                for (int j = 0; j < g.s(); j++) {
                                    int iy = y * g.spec().strideH() - g.spec().padH() + i;
                                    int ix = x * g.spec().strideW() - g.spec().padW() + j;
                                    if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                                        tap.visit(b, o, y, x, ch, i, j, iy, ix);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static int inputIndex(Conv2dGeometry g, int b, int ch, int iy, int ix) {
        return ((b * g.c() + ch) * g.h() + iy) * g.w() + ix;
    }

    private static int filterIndex(Conv2dGeometry g, int o, int ch, int i, int j) {
        return ((o * g.c() + ch) * g.r() + i) * g.s() + j;
    }

    private static int outputIndex(Conv2dGeometry g, int b, int o, int y, int x) {
        return ((b * g.k() + o) * g.outH() + y) * g.outW() + x;
    }

    /** Row-wise softmax; the row maximum is subtracted first so exp cannot overflow. */
    static float[] softmax(float[] x, int rows, int cols) {
        float[] y = new float[x.length];
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[off + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp((double) x[off + c] - max);
            }
            for (int c = 0; c < cols; c++) {
                y[off + c] = (float) (Math.exp((double) x[off + c] - max) / sum);
            }
        }
        return y;
    }

    /** dx = y * (dy - sum(dy * y)), per row. */
    static float[] softmaxBackward(float[] y, float[] dy, int rows, int cols) {
        float[] dx = new float[y.length];
        for (int r = 0; r < rows; r++) {
            int off = r * cols;
            double dot = 0;
            for (int c = 0; c < cols; c++) {
                dot += (double) dy[off + c] * y[off + c];
            }
            for (int c = 0; c < cols; c++) {
                dx[off + c] = (float) (y[off + c] * (dy[off + c] - dot));
            }
        }
        return dx;
    }

    static float[] addBias(float[] x, float[] bias, int outer, int len, int inner) {
        float[] y = new float[x.length];
        for (int o = 0; o < outer; o++) {
            for (int l = 0; l < len; l++) {
                for (int i = 0; i < inner; i++) {
                    int idx = (o * len + l) * inner + i;
                    y[idx] = x[idx] + bias[l];
                }
            }
        }
        return y;
    }

    static float[] sumToAxis(float[] x, int outer, int len, int inner) {
        double[] acc = new double[len];
        for (int o = 0; o < outer; o++) {
            for (int l = 0; l < len; l++) {
                for (int i = 0; i < inner; i++) {
                    acc[l] += x[(o * len + l) * inner + i];
                }
            }
        }
        return toFloat(acc);
    }

    static float[] relu(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i] > 0 || Float.isNaN(x[i]) ? x[i] : 0f;
        }
        return y;
    }

    static float[] reluBackward(float[] x, float[] dy) {
        float[] dx = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            dx[i] = x[i] > 0 ? dy[i] : Float.isNaN(x[i]) ? Float.NaN : 0f;
        }
        return dx;
    }

    static float[] add(float[] a, float[] b) {
        float[] c = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i] + b[i];
        }
        return c;
    }

    static float[] mul(float[] a, float[] b) {
        float[] c = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i] * b[i];
        }
        return c;
    }

    static float[] scale(float[] x, float alpha) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = alpha * x[i];
        }
        return y;
    }

    static float sum(float[] x) {
        double acc = 0;
        for (float v : x) {
            acc += v;
        }
        return (float) acc;
    }

    static void axpy(float alpha, float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += alpha * x[i];
        }
    }

    private static float[] toFloat(double[] acc) {
        float[] out = new float[acc.length];
        for (int i = 0; i < acc.length; i++) {
            out[i] = (float) acc[i];
        }
        return out;
    }
}

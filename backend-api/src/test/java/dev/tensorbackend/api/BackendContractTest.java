package dev.tensorbackend.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tensorbackend.api.check.CrossCheck;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every backend must do, checked without trusting any backend: values worked by hand,
 * closed forms at odd sizes, adjoint identities between the convolution passes, every
 * backward op against central finite differences of its forward op, and the errors for bad
 * input. A backend's test subclasses this and supplies {@link #newBackend()}; a backend that
 * may be unusable on the machine (CUDA) skips in {@code newBackend()} with the reason.
 */
public abstract class BackendContractTest {
    /** Element-wise tolerance for results computed in float32 from small exact inputs. */
    private static final Tolerance EXACTISH = new Tolerance(1e-5, 1e-5);

    protected Backend backend;

    protected abstract Backend newBackend();

    /**
     * The plain-loop backend the fuzz test compares against, or null where this module cannot
     * reach it (the fuzz test is then skipped with that reason). Backend modules return
     * {@code new ReferenceBackend()}.
     */
    protected Backend newReferenceBackend() {
        return null;
    }

    /** How many random calls the fuzz test makes; a slow backend (the emulated GPU) makes fewer. */
    protected int fuzzCalls() {
        return 400;
    }

    @BeforeEach
    void openBackend() {
        backend = newBackend();
    }

    @AfterEach
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    protected Tensor t(float[] data, int... dims) {
        return backend.upload(Shape.of(dims), data);
    }

    protected static void assertClose(float[] expected, Tensor actual, Tolerance tol) {
        Tolerance.Comparison c = tol.compare(expected, actual.toArray());
        assertTrue(c.passed(), c.toString());
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextFloat() * 2 - 1;
        }
        return a;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    // ---- data movement -----------------------------------------------------------------------

    @Test
    void uploadDownloadRoundTripsAndCopies() {
        float[] data = {1, -2, 3.5f, Float.NaN, Float.POSITIVE_INFINITY, -0f};
        Tensor x = t(data, 2, 3);
        data[0] = 99; // the tensor holds its own copy
        assertArrayEquals(new float[] {1, -2, 3.5f, Float.NaN, Float.POSITIVE_INFINITY, -0f}, x.toArray());
        assertEquals(Shape.of(2, 3), x.shape());
    }

    @Test
    void zerosAndReshape() {
        assertArrayEquals(new float[6], backend.zeros(Shape.of(3, 2)).toArray());
        Tensor r = backend.reshape(t(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), Shape.of(3, 1, 2));
        assertEquals(Shape.of(3, 1, 2), r.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, r.toArray());
    }

    @Test
    void aReshapeIsIndependentOfItsSourceUnderAxpyAndClose() {
        // a backend may share the elements between the two (the cpu backend does), but neither
        // may see the other's in-place updates, and closing one must leave the other intact
        Tensor source = t(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor flat = backend.reshape(source, Shape.of(6));
        backend.axpy(1, t(new float[] {10, 10, 10, 10, 10, 10}, 2, 3), source);
        assertArrayEquals(new float[] {11, 12, 13, 14, 15, 16}, source.toArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, flat.toArray());
        Tensor again = backend.reshape(flat, Shape.of(3, 2));
        backend.sgdUpdate(flat, t(new float[] {1, 1, 1, 1, 1, 1}, 6), 1);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, flat.toArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, again.toArray());
        source.close();
        flat.close();
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, again.toArray());
        // the closed tensors' memory may be reused, but never by two live results at once
        Tensor r1 = backend.scale(again, 2), r2 = backend.scale(again, 3), r3 = backend.scale(again, 4);
        assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, r1.toArray());
        assertArrayEquals(new float[] {3, 6, 9, 12, 15, 18}, r2.toArray());
        assertArrayEquals(new float[] {4, 8, 12, 16, 20, 24}, r3.toArray());
        again.close();
        assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, r1.toArray());
    }

    @Test
    void emptyTensorsRoundTrip() {
        assertArrayEquals(new float[0], t(new float[0], 0, 5).toArray());
        assertArrayEquals(new float[0], backend.zeros(Shape.of(4, 0)).toArray());
    }

    // ---- matmul --------------------------------------------------------------------------------

    @Test
    void matmulHandWorked() {
        Tensor a = t(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = t(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        // [1 2 3; 4 5 6] [7 8; 9 10; 11 12] = [58 64; 139 154]
        assertClose(new float[] {58, 64, 139, 154}, backend.matmul(a, b), EXACTISH);
        // a^T a: [1 4; 2 5; 3 6][1 2 3; 4 5 6] = [17 22 27; 22 29 36; 27 36 45]
        assertClose(new float[] {17, 22, 27, 22, 29, 36, 27, 36, 45}, backend.matmul(a, true, a, false), EXACTISH);
        // a a^T = [14 32; 32 77]
        assertClose(new float[] {14, 32, 32, 77}, backend.matmul(a, false, a, true), EXACTISH);
        // b^T a^T = (a b)^T = [58 139; 64 154]
        assertClose(new float[] {58, 139, 64, 154}, backend.matmul(b, true, a, true), EXACTISH);
    }

    /**
     * A of ones (m x k) times B with B[p][j] = (p + 2j) mod 7: each C[i][j] is the column sum
     * of B, a closed form that needs no second implementation of matmul.
     */
    @Test
    void matmulOddSizesClosedForm() {
        int[][] sizes = {{1, 1, 1}, {3, 5, 7}, {17, 1, 33}, {65, 31, 2}, {1, 130, 67}, {129, 67, 97}};
        for (int[] s : sizes) {
            int m = s[0], k = s[1], n = s[2];
            float[] ones = new float[m * k];
            java.util.Arrays.fill(ones, 1f);
            float[] b = new float[k * n], bT = new float[n * k];
            float[] expected = new float[m * n];
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    b[p * n + j] = (p + 2 * j) % 7;
                    bT[j * k + p] = b[p * n + j];
                }
            }
            for (int j = 0; j < n; j++) {
                float col = 0;
                for (int p = 0; p < k; p++) {
                    col += b[p * n + j];
                }
                for (int i = 0; i < m; i++) {
                    expected[i * n + j] = col;
                }
            }
            String at = m + "x" + k + "x" + n;
            Tensor a = t(ones, m, k), aT = t(ones, k, m), tb = t(b, k, n), tbT = t(bT, n, k);
            assertClose(expected, backend.matmul(a, tb), EXACTISH);
            assertClose(expected, backend.matmul(aT, true, tb, false), EXACTISH);
            assertClose(expected, backend.matmul(a, false, tbT, true), EXACTISH);
            assertClose(expected, backend.matmul(aT, true, tbT, true), EXACTISH);
            assertEquals(Shape.of(m, n), backend.matmul(a, tb).shape(), at);
        }
    }

    @Test
    void matmulBatchedAndBroadcast() {
        // batch 0: identity, batch 1: 2 * identity, times one shared matrix
        Tensor a = t(new float[] {1, 0, 0, 1, 2, 0, 0, 2}, 2, 2, 2);
        Tensor w = t(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor c = backend.matmul(a, w);
        assertEquals(Shape.of(2, 2, 2), c.shape());
        assertClose(new float[] {1, 2, 3, 4, 2, 4, 6, 8}, c, EXACTISH);
        // shared left operand times a batch: w^T times each batch entry
        assertClose(new float[] {1, 3, 2, 4, 2, 6, 4, 8}, backend.matmul(w, true, a, false), EXACTISH);
        // both batched, second transposed: a[b] a[b]^T
        assertClose(new float[] {1, 0, 0, 1, 4, 0, 0, 4}, backend.matmul(a, false, a, true), EXACTISH);
    }

    @Test
    void matmulZeroSizes() {
        // k = 0: an empty sum is zero
        assertArrayEquals(new float[6], backend.matmul(t(new float[0], 2, 0), t(new float[0], 0, 3)).toArray());
        assertEquals(Shape.of(0, 3), backend.matmul(t(new float[0], 0, 4), t(new float[12], 4, 3)).shape());
        assertEquals(Shape.of(0, 2, 2), backend.matmul(t(new float[0], 0, 2, 3), t(new float[6], 3, 2)).shape());
    }

    // ---- conv2d --------------------------------------------------------------------------------

    @Test
    void conv2dHandWorked() {
        // 3x3 input, 2x2 filter, stride 1, no padding
        Tensor x = t(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor f = t(new float[] {1, 0, 0, -1}, 1, 1, 2, 2);
        // out[y][x] = in[y][x] - in[y+1][x+1] = -4 everywhere
        assertClose(new float[] {-4, -4, -4, -4}, backend.conv2d(x, f, ConvSpec.of(1, 0)), EXACTISH);
        // padding 1, stride 2: output 2x2 reads padded rows/cols {-1,0},{1,2}
        // out[0][0] = 0 - in[0][0] = -1; out[0][1] = 0 - in[0][2] = -3; out[1][0] = 0 - in[2][0] = -7;
        // out[1][1] = in[1][1] - in[2][2] = 5 - 9 = -4
        Tensor y = backend.conv2d(x, f, ConvSpec.of(2, 1));
        assertEquals(Shape.of(1, 1, 2, 2), y.shape());
        assertClose(new float[] {-1, -3, -7, -4}, y, EXACTISH);
    }

    @Test
    void conv2dChannelsAndBatchHandWorked() {
        // batch 2, 2 input channels of 2x2, filter 1x1 mixing channels into 2 outputs
        Tensor x = t(new float[] {1, 2, 3, 4, 10, 20, 30, 40, /* batch 1 */ -1, -2, -3, -4, 0, 0, 0, 1}, 2, 2, 2, 2);
        Tensor f = t(new float[] {1, 1, /* out 1 */ 2, -1}, 2, 2, 1, 1);
        Tensor y = backend.conv2d(x, f, ConvSpec.of(1, 0));
        assertEquals(Shape.of(2, 2, 2, 2), y.shape());
        assertClose(new float[] {11, 22, 33, 44, -8, -16, -24, -32, -1, -2, -3, -3, -2, -4, -6, -9}, y, EXACTISH);
    }

    /**
     * The two backward passes are the adjoints of the forward pass:
     * {@code <conv(x, f), g> = <x, dInput(g, f)> = <f, dFilter(x, g)>}, at odd sizes, strides and padding.
     */
    @Test
    void conv2dBackwardPassesAreAdjointsOfForward() {
        Random rnd = new Random(7);
        int[][] cases = { // n, c, h, w, k, r, s, stride, pad
                {1, 1, 1, 1, 1, 1, 1, 1, 0}, {2, 3, 7, 5, 4, 3, 2, 1, 1}, {1, 2, 9, 11, 3, 3, 3, 2, 1},
                {3, 1, 6, 6, 2, 5, 1, 3, 2}, {1, 5, 13, 4, 1, 2, 4, 1, 0}};
        for (int[] cs : cases) {
            Shape in = Shape.of(cs[0], cs[1], cs[2], cs[3]), fs = Shape.of(cs[4], cs[1], cs[5], cs[6]);
            ConvSpec spec = ConvSpec.of(cs[7], cs[8]);
            Conv2dGeometry g = Conv2dGeometry.of("test", in, fs, spec);
            float[] x = random(rnd, in.size()), f = random(rnd, fs.size()), go = random(rnd, g.outputShape().size());
            Tensor tx = backend.upload(in, x), tf = backend.upload(fs, f), tg = backend.upload(g.outputShape(), go);
            double forward = dot(backend.conv2d(tx, tf, spec).toArray(), go);
            double viaInput = dot(x, backend.conv2dBackwardInput(tg, tf, in, spec).toArray());
            double viaFilter = dot(f, backend.conv2dBackwardFilter(tx, tg, fs, spec).toArray());
            String at = java.util.Arrays.toString(cs);
            assertEquals(forward, viaInput, 1e-4 * (1 + Math.abs(forward)), at);
            assertEquals(forward, viaFilter, 1e-4 * (1 + Math.abs(forward)), at);
        }
    }

    @Test
    void conv2dBackwardInputByFiniteDifferences() {
        Random rnd = new Random(11);
        Shape in = Shape.of(2, 2, 5, 4), fs = Shape.of(3, 2, 3, 2);
        ConvSpec spec = new ConvSpec(2, 1, 1, 0);
        Tensor f = backend.upload(fs, random(rnd, fs.size()));
        float[] x = random(rnd, in.size());
        Shape out = Conv2dGeometry.of("test", in, fs, spec).outputShape();
        float[] w = random(rnd, out.size());
        float[] analytic = backend.conv2dBackwardInput(backend.upload(out, w), f, in, spec).toArray();
        checkFiniteDifferences("conv2dBackwardInput", x, w, analytic, xs -> backend.conv2d(backend.upload(in, xs), f, spec), 1e-2f);
    }

    @Test
    void conv2dBackwardFilterByFiniteDifferences() {
        Random rnd = new Random(12);
        Shape in = Shape.of(2, 3, 6, 5), fs = Shape.of(2, 3, 2, 3);
        ConvSpec spec = new ConvSpec(1, 2, 0, 1);
        Tensor x = backend.upload(in, random(rnd, in.size()));
        float[] f = random(rnd, fs.size());
        Shape out = Conv2dGeometry.of("test", in, fs, spec).outputShape();
        float[] w = random(rnd, out.size());
        float[] analytic = backend.conv2dBackwardFilter(x, backend.upload(out, w), fs, spec).toArray();
        checkFiniteDifferences("conv2dBackwardFilter", f, w, analytic, fv -> backend.conv2d(x, backend.upload(fs, fv), spec), 1e-2f);
    }

    // ---- softmax -------------------------------------------------------------------------------

    @Test
    void softmaxRowsHandWorked() {
        // row 0: [0 0 1] -> [1, 1, e] / (2 + e); rows 1 and 2 hold values whose exp overflows
        // float: a stable softmax subtracts the row maximum first and gives exact 0s and 1s
        Tensor x = t(new float[] {0, 0, 1, 2, 3, 1000, 1000, -1000, -1000}, 3, 3);
        double z = 2 + Math.E;
        Tensor y = backend.softmax(x);
        assertEquals(Shape.of(3, 3), y.shape());
        assertClose(new float[] {(float) (1 / z), (float) (1 / z), (float) (Math.E / z), 0, 0, 1, 1, 0, 0}, y, EXACTISH);
    }

    @Test
    void softmaxRowsSumToOneAtOddSizes() {
        Random rnd = new Random(3);
        for (int[] s : new int[][] {{1, 1}, {7, 3}, {2, 33}, {5, 1025}, {1, 4099}}) {
            float[] x = random(rnd, s[0] * s[1]);
            for (int i = 0; i < x.length; i++) {
                x[i] *= 20;
            }
            float[] y = backend.softmax(t(x, s[0], s[1])).toArray();
            for (int r = 0; r < s[0]; r++) {
                double sum = 0;
                for (int c = 0; c < s[1]; c++) {
                    assertTrue(y[r * s[1] + c] >= 0, "softmax is never negative");
                    sum += y[r * s[1] + c];
                }
                assertEquals(1.0, sum, 1e-5, java.util.Arrays.toString(s) + " row " + r);
            }
        }
    }

    @Test
    void softmaxOverLastAxisOfRank3AndEmpty() {
        Tensor y = backend.softmax(t(new float[] {0, 0, 5, 5}, 2, 1, 2));
        assertClose(new float[] {0.5f, 0.5f, 0.5f, 0.5f}, y, EXACTISH);
        assertEquals(Shape.of(0, 4), backend.softmax(t(new float[0], 0, 4)).shape());
        assertEquals(Shape.of(3, 0), backend.softmaxBackward(t(new float[0], 3, 0), t(new float[0], 3, 0)).shape());
    }

    @Test
    void softmaxBackwardByFiniteDifferences() {
        Random rnd = new Random(5);
        Shape s = Shape.of(4, 7);
        float[] x = random(rnd, s.size());
        float[] w = random(rnd, s.size());
        Tensor y = backend.softmax(backend.upload(s, x));
        float[] analytic = backend.softmaxBackward(y, backend.upload(s, w)).toArray();
        checkFiniteDifferences("softmaxBackward", x, w, analytic, xs -> backend.softmax(backend.upload(s, xs)), 1e-2f);
    }

    // ---- element-wise and reductions -----------------------------------------------------------

    @Test
    void addBiasAlongAnyAxisAndItsGradient() {
        Tensor x = t(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertClose(new float[] {11, 22, 33, 14, 25, 36}, backend.addBias(x, t(new float[] {10, 20, 30}, 3), 1), EXACTISH);
        assertClose(new float[] {11, 12, 13, 24, 25, 26}, backend.addBias(x, t(new float[] {10, 20}, 2), 0), EXACTISH);
        assertClose(new float[] {5, 7, 9}, backend.sumToAxis(x, -1), EXACTISH);
        assertClose(new float[] {6, 15}, backend.sumToAxis(x, 0), EXACTISH);
        // NCHW channel bias: [1, 2, 1, 2], bias per channel
        Tensor img = t(new float[] {1, 1, 2, 2}, 1, 2, 1, 2);
        assertClose(new float[] {4, 4, 1, 1}, backend.addBias(img, t(new float[] {3, -1}, 2), 1), EXACTISH);
        assertClose(new float[] {2, 4}, backend.sumToAxis(img, 1), EXACTISH);
    }

    /** sumToAxis is addBias's backward with respect to the bias: d/dbias of {@code <addBias(x, bias), w>}. */
    @Test
    void biasGradientByFiniteDifferences() {
        Random rnd = new Random(13);
        Shape s = Shape.of(3, 4, 5);
        Tensor x = backend.upload(s, random(rnd, s.size()));
        float[] bias = random(rnd, 4), w = random(rnd, s.size());
        float[] analytic = backend.sumToAxis(backend.upload(s, w), 1).toArray();
        checkFiniteDifferences("sumToAxis", bias, w, analytic, b -> backend.addBias(x, t(b, 4), 1), 1e-2f);
    }

    @Test
    void reluAndItsBackward() {
        Tensor x = t(new float[] {-2, -0.5f, 0, 0.5f, 3, Float.NaN}, 6);
        float[] y = backend.relu(x).toArray();
        assertArrayEquals(new float[] {0, 0, 0, 0.5f, 3, Float.NaN}, y);
        float[] dx = backend.reluBackward(x, t(new float[] {1, 2, 3, 4, 5, 6}, 6)).toArray();
        assertArrayEquals(new float[] {0, 0, 0, 4, 5, Float.NaN}, dx);
    }

    @Test
    void reluBackwardByFiniteDifferences() {
        Random rnd = new Random(9);
        float[] x = random(rnd, 40);
        for (int i = 0; i < x.length; i++) {
            x[i] += Math.signum(x[i]) * 0.1f; // keep every input away from the kink at 0
        }
        float[] w = random(rnd, x.length);
        float[] analytic = backend.reluBackward(t(x, 40), t(w, 40)).toArray();
        checkFiniteDifferences("reluBackward", x, w, analytic, xs -> backend.relu(t(xs, 40)), 1e-2f);
    }

    @Test
    void addMulScaleSumAxpy() {
        Tensor a = t(new float[] {1, 2, 3}, 3), b = t(new float[] {4, -5, 6}, 3);
        assertClose(new float[] {5, -3, 9}, backend.add(a, b), EXACTISH);
        assertClose(new float[] {4, -10, 18}, backend.mul(a, b), EXACTISH);
        assertClose(new float[] {-0.5f, -1, -1.5f}, backend.scale(a, -0.5f), EXACTISH);
        Tensor s = backend.sum(b);
        assertEquals(Shape.scalar(), s.shape());
        assertClose(new float[] {5}, s, EXACTISH);
        assertClose(new float[] {0}, backend.sum(t(new float[0], 0)), EXACTISH);
        backend.axpy(2, a, b);
        assertClose(new float[] {6, -1, 12}, b, EXACTISH);
        backend.sgdUpdate(b, a, 0.5f);
        assertClose(new float[] {5.5f, -2, 10.5f}, b, EXACTISH);
    }

    @Test
    void sumOfManyElementsIsAccurate() {
        int n = 1_000_003;
        float[] x = new float[n];
        java.util.Arrays.fill(x, 0.1f);
        double expected = n * (double) 0.1f;
        assertEquals(expected, backend.sum(t(x, n)).toArray()[0], expected * 1e-5);
    }

    @Test
    void nanAndInfinityPropagate() {
        Tensor x = t(new float[] {Float.NaN, 1, Float.POSITIVE_INFINITY, 2}, 2, 2);
        float[] c = backend.matmul(x, t(new float[] {1, 0, 0, 1}, 2, 2)).toArray();
        assertTrue(Float.isNaN(c[0]) && Float.isNaN(c[1]), "NaN row stays NaN: " + java.util.Arrays.toString(c));
        assertTrue(Float.isNaN(backend.softmax(x).toArray()[0]), "softmax of a NaN row is NaN");
        assertTrue(Float.isNaN(backend.sum(x).toArray()[0]));
        assertEquals(Float.POSITIVE_INFINITY, backend.scale(x, 2).toArray()[2]);
    }

    // ---- bad input -----------------------------------------------------------------------------

    private static void assertMessage(Runnable op, String... fragments) {
        BackendException e = assertThrows(BackendException.class, op::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    @Test
    void mismatchedShapesNameTheOpAndShapes() {
        Tensor a = t(new float[6], 2, 3), b = t(new float[6], 2, 3);
        assertMessage(() -> backend.matmul(a, b), "matmul", "[2, 3]", "inner dimensions differ (3 vs 2)");
        assertMessage(() -> backend.add(a, t(new float[6], 3, 2)), "add", "[2, 3]", "[3, 2]");
        assertMessage(() -> backend.matmul(t(new float[8], 2, 2, 2), t(new float[12], 3, 2, 2)), "matmul", "batch sizes differ");
        assertMessage(() -> backend.addBias(a, t(new float[2], 2), 1), "addBias", "[2]", "length 3");
        assertMessage(() -> backend.reshape(a, Shape.of(4)), "reshape", "[2, 3]", "[4]");
        assertMessage(() -> backend.upload(Shape.of(2, 2), new float[3]), "upload", "[2, 2]", "3");
        assertMessage(() -> backend.softmaxBackward(a, t(new float[3], 3)), "softmaxBackward", "[2, 3]", "[3]");
        assertMessage(() -> backend.conv2dBackwardInput(t(new float[4], 1, 1, 2, 2), t(new float[4], 1, 1, 2, 2),
                Shape.of(1, 1, 4, 4), ConvSpec.of(1, 0)), "conv2dBackwardInput", "gradOutput[1, 1, 2, 2]", "[1, 1, 3, 3]");
    }

    @Test
    void wrongRankNamesTheOp() {
        assertMessage(() -> backend.matmul(t(new float[3], 3), t(new float[3], 3, 1)), "matmul", "rank 2 or 3");
        assertMessage(() -> backend.conv2d(t(new float[16], 4, 4), t(new float[4], 1, 1, 2, 2), ConvSpec.of(1, 0)),
                "conv2d", "input[4, 4]", "rank 4");
        assertMessage(() -> backend.conv2d(t(new float[16], 1, 1, 4, 4), t(new float[4], 2, 2), ConvSpec.of(1, 0)),
                "conv2d", "filter[2, 2]", "rank 4");
        assertMessage(() -> backend.softmax(backend.upload(Shape.scalar(), new float[] {1})), "softmax", "rank 1");
        assertMessage(() -> backend.sumToAxis(t(new float[4], 2, 2), 2), "sumToAxis", "axis 2");
    }

    @Test
    void badStrideAndOversizedFilter() {
        assertMessage(() -> ConvSpec.of(0, 0), "conv2d", "stride", "(0, 0)");
        assertMessage(() -> new ConvSpec(1, -2, 0, 0), "conv2d", "stride", "(1, -2)");
        assertMessage(() -> ConvSpec.of(1, -1), "conv2d", "padding");
        Tensor x = t(new float[9], 1, 1, 3, 3);
        assertMessage(() -> backend.conv2d(x, t(new float[16], 1, 1, 4, 4), ConvSpec.of(1, 0)),
                "conv2d", "filter 4x4 is larger than the padded input 3x3");
        assertMessage(() -> backend.conv2d(x, t(new float[50], 1, 2, 5, 5), ConvSpec.of(1, 1)), "conv2d", "2 input channels");
    }

    @Test
    void closedTensorIsRejected() {
        Tensor a = t(new float[] {1, 2}, 2);
        a.close();
        a.close(); // twice is harmless
        assertTrue(a.isClosed());
        assertMessage(() -> backend.relu(a), "relu", "after it was closed");
        assertMessage(a::toArray, "download", "after it was closed");
    }

    @Test
    void memoryStatsFollowOpenTensors() {
        MemoryStats before = backend.memoryStats();
        Tensor a = t(new float[100], 100);
        MemoryStats during = backend.memoryStats();
        assertTrue(during.liveBytes() >= before.liveBytes() + 400, "an open 100-float tensor counts: " + during);
        assertTrue(during.peakBytes() >= during.liveBytes(), "peak is at least live: " + during);
        a.close();
        MemoryStats after = backend.memoryStats();
        assertEquals(before.liveBytes(), after.liveBytes(), "closing gives the bytes back: " + after);
        assertEquals(during.peakBytes(), after.peakBytes(), "peak stays: " + after);
        assertTrue(after.cachedBytes() >= 0 && after.driverFrees() <= after.driverAllocations(), after.toString());
    }

    @Test
    void deviceMillisRunsTheWorkWaitsForItAndGivesATimeOnlyFromADeviceClock() {
        Tensor a = t(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor[] result = new Tensor[1];
        OptionalDouble ms = backend.deviceMillis(() -> result[0] = backend.matmul(a, a));
        assertArrayEquals(new float[] {7, 10, 15, 22}, result[0].toArray());
        if (ms.isPresent()) {
            assertTrue(ms.getAsDouble() >= 0 && Double.isFinite(ms.getAsDouble()), "device time " + ms);
        }
        backend.close();
        assertMessage(() -> backend.deviceMillis(() -> { }), "deviceMillis", "closed");
    }

    @Test
    void tensorsOfAnotherBackendAreRejected() {
        try (Backend other = newBackend()) {
            Tensor mine = t(new float[] {1, 2}, 2), theirs = other.upload(Shape.of(2), new float[] {3, 4});
            assertMessage(() -> backend.add(mine, theirs), "add", "b[2]", "belongs to another");
        }
    }

    // ---- lifecycle -----------------------------------------------------------------------------

    @Test
    void everyCallAfterCloseThrowsNamingTheCall() {
        Tensor a = t(new float[] {1, 2, 3, 4}, 2, 2);
        backend.close();
        String closed = "the " + backend.name() + " backend was closed";
        assertMessage(() -> backend.upload(Shape.of(1), new float[] {1}), "upload: " + closed);
        assertMessage(() -> backend.zeros(Shape.of(1)), "zeros: " + closed);
        assertMessage(() -> backend.download(a), "download: " + closed);
        assertMessage(a::toArray, "download: " + closed);
        assertMessage(() -> backend.reshape(a, Shape.of(4)), "reshape: " + closed);
        assertMessage(() -> backend.matmul(a, a), "matmul: " + closed);
        assertMessage(() -> backend.conv2d(a, a, ConvSpec.of(1, 0)), "conv2d: " + closed);
        assertMessage(() -> backend.conv2dBackwardInput(a, a, Shape.of(1, 1, 2, 2), ConvSpec.of(1, 0)), "conv2dBackwardInput: " + closed);
        assertMessage(() -> backend.conv2dBackwardFilter(a, a, Shape.of(1, 1, 2, 2), ConvSpec.of(1, 0)), "conv2dBackwardFilter: " + closed);
        assertMessage(() -> backend.softmax(a), "softmax: " + closed);
        assertMessage(() -> backend.softmaxBackward(a, a), "softmaxBackward: " + closed);
        assertMessage(() -> backend.addBias(a, a, 0), "addBias: " + closed);
        assertMessage(() -> backend.sumToAxis(a, 0), "sumToAxis: " + closed);
        assertMessage(() -> backend.relu(a), "relu: " + closed);
        assertMessage(() -> backend.reluBackward(a, a), "reluBackward: " + closed);
        assertMessage(() -> backend.add(a, a), "add: " + closed);
        assertMessage(() -> backend.mul(a, a), "mul: " + closed);
        assertMessage(() -> backend.scale(a, 2), "scale: " + closed);
        assertMessage(() -> backend.sum(a), "sum: " + closed);
        assertMessage(() -> backend.axpy(1, a, a), "axpy: " + closed);
        assertMessage(() -> backend.sgdUpdate(a, a, 0.1f), "axpy: " + closed);
        assertMessage(backend::synchronize, "synchronize: " + closed);
    }

    @Test
    void closingTheBackendClosesItsOpenTensorsAndFreesThem() {
        MemoryStats empty = backend.memoryStats();
        Tensor kept = t(new float[] {1, 2, 3}, 3);
        Tensor result = backend.scale(kept, 2);
        Tensor closedEarly = backend.zeros(Shape.of(5));
        closedEarly.close();
        assertTrue(backend.memoryStats().liveBytes() >= empty.liveBytes() + 24, backend.memoryStats().toString());
        backend.close();
        assertTrue(kept.isClosed() && result.isClosed() && closedEarly.isClosed());
        assertEquals(0, backend.memoryStats().liveBytes(), "nothing live after close: " + backend.memoryStats());
        result.close(); // closing a tensor again after its backend is harmless
    }

    @Test
    void closingTwiceIsHarmless() {
        Tensor a = t(new float[] {1}, 1);
        backend.close();
        backend.close();
        assertTrue(a.isClosed());
        assertMessage(() -> backend.zeros(Shape.of(1)), "zeros", "was closed");
    }

    // ---- threads -------------------------------------------------------------------------------

    /** A small program of most ops on seeded inputs; its downloads, concatenated. */
    private float[] program(long seed) {
        Random rnd = new Random(seed);
        try (TensorScope scope = new TensorScope()) {
            Tensor a = scope.track(backend.upload(Shape.of(2, 17, 9), random(rnd, 2 * 17 * 9)));
            Tensor w = scope.track(backend.upload(Shape.of(9, 13), random(rnd, 9 * 13)));
            Tensor x = scope.track(backend.upload(Shape.of(2, 3, 9, 8), random(rnd, 2 * 3 * 9 * 8)));
            Tensor f = scope.track(backend.upload(Shape.of(4, 3, 3, 2), random(rnd, 4 * 3 * 3 * 2)));
            Tensor h = scope.track(backend.matmul(a, w));
            Tensor s = scope.track(backend.softmax(h));
            Tensor ds = scope.track(backend.softmaxBackward(s, h));
            Tensor c = scope.track(backend.conv2d(x, f, new ConvSpec(2, 1, 1, 0)));
            Tensor gi = scope.track(backend.conv2dBackwardInput(c, f, x.shape(), new ConvSpec(2, 1, 1, 0)));
            Tensor gf = scope.track(backend.conv2dBackwardFilter(x, c, f.shape(), new ConvSpec(2, 1, 1, 0)));
            Tensor r = scope.track(backend.relu(scope.track(backend.add(ds, scope.track(backend.scale(h, -0.5f))))));
            Tensor b = scope.track(backend.sumToAxis(c, 1));
            backend.axpy(0.25f, h, r);
            float[][] parts = {r.toArray(), gi.toArray(), gf.toArray(), b.toArray(), scope.track(backend.sum(scope.track(backend.mul(r, r)))).toArray()};
            int n = 0;
            for (float[] p : parts) {
                n += p.length;
            }
            float[] all = new float[n];
            int at = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return all;
        }
    }

    /**
     * The thread contract: eight threads running programs on one backend at the same time get
     * exactly what the same programs give one after another (the CPU runs them concurrently,
     * CUDA one call at a time under its lock), and the memory bookkeeping ends where it began.
     */
    @Test
    void eightThreadsOnOneBackendGetTheSerialResults() throws Exception {
        int threads = 8, rounds = 3;
        float[][] serial = new float[threads][];
        for (int i = 0; i < threads; i++) {
            serial[i] = program(100 + i);
        }
        long liveBefore = backend.memoryStats().liveBytes();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
            java.util.List<java.util.concurrent.Future<float[][]>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < threads; i++) {
                long seed = 100 + i;
                futures.add(pool.submit(() -> {
                    start.await();
                    float[][] out = new float[rounds][];
                    for (int round = 0; round < rounds; round++) {
                        out[round] = program(seed);
                    }
                    return out;
                }));
            }
            for (int i = 0; i < threads; i++) {
                float[][] got = futures.get(i).get(2, java.util.concurrent.TimeUnit.MINUTES);
                for (int round = 0; round < rounds; round++) {
                    assertArrayEquals(serial[i], got[round], "thread " + i + ", round " + round);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(liveBefore, backend.memoryStats().liveBytes(), "every tensor of every thread was closed");
    }

    // ---- fuzz ----------------------------------------------------------------------------------

    /**
     * Seeded random calls with random legal shapes, 0 and 1 dimensions included, on this
     * backend and on the reference backend, equal within the cross-check's tolerance of each
     * op; and, between them, random illegal calls that must throw a BackendException and leave
     * the backend working. A failure names the seed and the call, so it can be replayed.
     */
    @Test
    void fuzzAgainstTheReferenceAndIllegalCallsLeaveTheBackendUsable() {
        Backend reference = newReferenceBackend();
        org.junit.jupiter.api.Assumptions.assumeTrue(reference != null, "no reference backend reachable from this module");
        long seed = Long.getLong("fuzz.seed", 20261126L);
        try (reference) {
            Fuzz fuzz = new Fuzz(backend, reference, new Random(seed));
            for (int call = 0; call < fuzzCalls(); call++) {
                String at = "fuzz seed " + seed + ", call " + call + ": ";
                if (fuzz.rnd.nextInt(4) == 0) {
                    String what = fuzz.illegal();
                    assertArrayEquals(new float[] {2, 4}, backend.scale(t(new float[] {1, 2}, 2), 2).toArray(),
                            at + "the backend works after " + what);
                } else {
                    fuzz.legal(at);
                }
            }
        }
    }

    /** The random calls of the fuzz test; every tensor it makes is closed after its call. */
    private static final class Fuzz {
        final Backend backend;
        final Backend reference;
        final Random rnd;

        Fuzz(Backend backend, Backend reference, Random rnd) {
            this.backend = backend;
            this.reference = reference;
            this.rnd = rnd;
        }

        /** 0 about one time in eight, 1 one in four, else up to 9. */
        int dim() {
            int r = rnd.nextInt(8);
            return r == 0 ? 0 : r < 3 ? 1 : 2 + rnd.nextInt(8);
        }

        int[] dims(int rank) {
            int[] d = new int[rank];
            for (int i = 0; i < rank; i++) {
                d[i] = dim();
            }
            return d;
        }

        float[] values(int n) {
            return random(rnd, n);
        }

        /** One op on both backends with the same inputs, compared. */
        interface Call {
            Tensor run(Backend b, TensorScope scope);
        }

        void compare(String at, String what, Tolerance tol, Call call) {
            float[] expected, actual;
            try (TensorScope s = new TensorScope()) {
                expected = s.track(call.run(reference, s)).toArray();
            }
            try (TensorScope s = new TensorScope()) {
                actual = s.track(call.run(backend, s)).toArray();
            } catch (BackendException e) {
                throw new AssertionError(at + what + " failed on " + backend.name() + " but not on the reference: " + e.getMessage(), e);
            }
            Tolerance.Comparison c = tol.compare(expected, actual);
            assertTrue(c.passed(), at + what + ": " + c);
        }

        /** Uploads {@code values} in {@code shape} onto {@code b}, closed with the scope. */
        static Tensor on(Backend b, TensorScope s, Shape shape, float[] values) {
            return s.track(b.upload(shape, values));
        }

        void legal(String at) {
            switch (rnd.nextInt(11)) {
                case 0 -> {
                    boolean ta = rnd.nextBoolean(), tb = rnd.nextBoolean();
                    int m = dim(), k = dim(), n = dim(), batch = 1 + rnd.nextInt(3);
                    boolean aBatched = rnd.nextBoolean(), bBatched = rnd.nextBoolean();
                    Shape a = batched(aBatched, batch, ta ? k : m, ta ? m : k), b = batched(bBatched, batch, tb ? n : k, tb ? k : n);
                    float[] av = values(a.size()), bv = values(b.size());
                    compare(at, "matmul(a" + a + (ta ? "^T" : "") + ", b" + b + (tb ? "^T" : "") + ")",
                            CrossCheck.reduction(k),
                            (be, s) -> be.matmul(on(be, s, a, av), ta, on(be, s, b, bv), tb));
                }
                case 1, 2 -> conv(at);
                case 3 -> {
                    Shape x = Shape.of(dims(1 + rnd.nextInt(3)));
                    float[] xv = values(x.size()), dv = values(x.size());
                    if (rnd.nextBoolean()) {
                        compare(at, "softmax(x" + x + ")", CrossCheck.SOFTMAX,
                                (be, s) -> be.softmax(on(be, s, x, xv)));
                    } else {
                        float[] y = ReferenceSoftmax.rows(xv, x);
                        compare(at, "softmaxBackward(y" + x + ")", CrossCheck.SOFTMAX_BACKWARD,
                                (be, s) -> be.softmaxBackward(on(be, s, x, y), on(be, s, x, dv)));
                    }
                }
                case 4 -> {
                    int rank = 1 + rnd.nextInt(4);
                    Shape x = Shape.of(dims(rank));
                    int axis = rnd.nextInt(2 * rank) - rank;
                    float[] xv = values(x.size()), bv = values(x.dim(axis));
                    long terms = x.dim(axis) == 0 ? 0 : x.size() / x.dim(axis);
                    if (rnd.nextBoolean()) {
                        compare(at, "addBias(x" + x + ", axis " + axis + ")", CrossCheck.EXACT,
                                (be, s) -> be.addBias(on(be, s, x, xv), on(be, s, Shape.of(x.dim(axis)), bv), axis));
                    } else {
                        compare(at, "sumToAxis(x" + x + ", axis " + axis + ")", CrossCheck.reduction(terms),
                                (be, s) -> be.sumToAxis(on(be, s, x, xv), axis));
                    }
                }
                default -> elementwise(at);
            }
        }

        private Shape batched(boolean batched, int batch, int rows, int cols) {
            return batched ? Shape.of(batch, rows, cols) : Shape.of(rows, cols);
        }

        private void conv(String at) {
            int n = dim(), c = dim(), h = dim(), w = dim(), k = dim();
            int padH = rnd.nextInt(3), padW = rnd.nextInt(3);
            if (h + 2 * padH == 0) {
                padH = 1;
            }
            if (w + 2 * padW == 0) {
                padW = 1;
            }
            int r = 1 + rnd.nextInt(Math.min(h + 2 * padH, 4)), sw = 1 + rnd.nextInt(Math.min(w + 2 * padW, 4));
            ConvSpec spec = new ConvSpec(1 + rnd.nextInt(3), 1 + rnd.nextInt(3), padH, padW);
            Shape in = Shape.of(n, c, h, w), fs = Shape.of(k, c, r, sw);
            Conv2dGeometry g = Conv2dGeometry.of("fuzz", in, fs, spec);
            Shape out = g.outputShape();
            float[] x = values(in.size()), f = values(fs.size()), go = values(out.size());
            String d = "(input" + in + ", filter" + fs + ", " + spec + ")";
            switch (rnd.nextInt(3)) {
                case 0 -> compare(at, "conv2d" + d, CrossCheck.reduction((long) c * r * sw),
                        (be, s) -> be.conv2d(on(be, s, in, x), on(be, s, fs, f), spec));
                case 1 -> compare(at, "conv2dBackwardInput" + d, CrossCheck.reduction((long) k * r * sw),
                        (be, s) -> be.conv2dBackwardInput(on(be, s, out, go), on(be, s, fs, f), in, spec));
                default -> compare(at, "conv2dBackwardFilter" + d,
                        CrossCheck.reduction((long) n * g.outH() * g.outW()),
                        (be, s) -> be.conv2dBackwardFilter(on(be, s, in, x), on(be, s, out, go), fs, spec));
            }
        }

        private void elementwise(String at) {
            Shape x = Shape.of(dims(rnd.nextInt(4)));
            float[] a = values(x.size()), b = values(x.size());
            float alpha = rnd.nextFloat() * 4 - 2;
            String on = "(x" + x + ")";
            switch (rnd.nextInt(8)) {
                case 0 -> compare(at, "relu" + on, CrossCheck.EXACT, (be, s) -> be.relu(on(be, s, x, a)));
                case 1 -> compare(at, "reluBackward" + on, CrossCheck.EXACT,
                        (be, s) -> be.reluBackward(on(be, s, x, a), on(be, s, x, b)));
                case 2 -> compare(at, "add" + on, CrossCheck.EXACT,
                        (be, s) -> be.add(on(be, s, x, a), on(be, s, x, b)));
                case 3 -> compare(at, "mul" + on, CrossCheck.EXACT,
                        (be, s) -> be.mul(on(be, s, x, a), on(be, s, x, b)));
                case 4 -> compare(at, "scale" + on + " by " + alpha, CrossCheck.EXACT,
                        (be, s) -> be.scale(on(be, s, x, a), alpha));
                case 5 -> compare(at, "sum" + on, CrossCheck.sumOf(x.size()),
                        (be, s) -> be.sum(on(be, s, x, a)));
                case 6 -> compare(at, "axpy" + on + " alpha " + alpha, CrossCheck.AXPY, (be, s) -> {
                    Tensor y = on(be, s, x, b);
                    be.axpy(alpha, on(be, s, x, a), y);
                    return be.reshape(y, x);
                });
                default -> {
                    int[] d = x.dims();
                    int[] flipped = new int[d.length];
                    for (int j = 0; j < d.length; j++) {
                        flipped[j] = d[d.length - 1 - j];
                    }
                    Shape to = Shape.of(flipped);
                    compare(at, "reshape" + on + " to " + to, CrossCheck.EXACT,
                            (be, s) -> be.reshape(on(be, s, x, a), to));
                }
            }
        }

        /** One random illegal call; it must throw a BackendException. Returns what it was. */
        String illegal() {
            int m = 1 + rnd.nextInt(5), k = 1 + rnd.nextInt(5);
            try (TensorScope s = new TensorScope()) {
                Tensor a = s.track(backend.upload(Shape.of(m, k), values(m * k)));
                Tensor wrong = s.track(backend.upload(Shape.of(k + 1, m), values((k + 1) * m)));
                Tensor image = s.track(backend.upload(Shape.of(1, 2, 3, 3), values(18)));
                int pick = rnd.nextInt(11);
                Runnable call = switch (pick) {
                    case 0 -> () -> backend.matmul(a, wrong);
                    case 1 -> () -> backend.add(a, wrong);
                    case 2 -> () -> backend.conv2d(image, s.track(backend.upload(Shape.of(1, 3, 2, 2), values(12))), ConvSpec.of(1, 0));
                    case 3 -> () -> backend.conv2d(image, s.track(backend.upload(Shape.of(1, 2, 4, 4), values(32))), ConvSpec.of(1, 0));
                    case 4 -> () -> backend.softmax(s.track(backend.upload(Shape.scalar(), new float[] {1})));
                    case 5 -> {
                        int axis = rnd.nextBoolean() ? 2 + rnd.nextInt(5) : -3 - rnd.nextInt(5); // a has rank 2
                        yield () -> backend.sumToAxis(a, axis);
                    }
                    case 6 -> () -> backend.reshape(a, Shape.of(m * k + 1));
                    case 7 -> () -> backend.upload(Shape.of(m, k), new float[m * k + 1]);
                    case 8 -> () -> backend.addBias(a, s.track(backend.upload(Shape.of(k + 1), values(k + 1))), 1);
                    case 9 -> () -> backend.conv2d(image, image, new ConvSpec(1, -rnd.nextInt(3), 0, 0));
                    default -> () -> {
                        Tensor gone = backend.upload(Shape.of(2), new float[] {1, 2});
                        gone.close();
                        backend.relu(gone);
                    };
                };
                assertThrows(BackendException.class, call::run, "illegal call " + pick + " must throw a BackendException");
                return "illegal call " + pick;
            }
        }
    }

    /** Softmax rows in double: inputs to softmaxBackward that are distributions, as real ones are. */
    private static final class ReferenceSoftmax {
        static float[] rows(float[] x, Shape s) {
            float[] y = new float[x.length];
            int cols = s.rank() == 0 ? 1 : s.dim(-1);
            for (int off = 0; cols > 0 && off < x.length; off += cols) {
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += Math.exp(x[off + c]);
                }
                for (int c = 0; c < cols; c++) {
                    y[off + c] = (float) (Math.exp(x[off + c]) / sum);
                }
            }
            return y;
        }
    }

    // ---- finite differences --------------------------------------------------------------------

    /**
     * Checks {@code analytic} = d/dx of {@code L(x) = <forward(x), w>} by central differences,
     * {@code (L(x + eps e_i) - L(x - eps e_i)) / 2 eps}, on up to 24 coordinates spread over x.
     */
    protected void checkFiniteDifferences(String op, float[] x, float[] w, float[] analytic,
                                          Function<float[], Tensor> forward, float eps) {
        assertEquals(x.length, analytic.length, op + ": gradient length");
        int step = Math.max(1, x.length / 24);
        for (int i = 0; i < x.length; i += step) {
            float[] plus = x.clone(), minus = x.clone();
            plus[i] += eps;
            minus[i] -= eps;
            double numeric = (dot(forward.apply(plus).toArray(), w) - dot(forward.apply(minus).toArray(), w))
                    / (plus[i] - minus[i]);
            assertEquals(numeric, analytic[i], 2e-3 + 1e-2 * Math.abs(numeric),
                    op + ": d/dx[" + i + "] analytic " + analytic[i] + " vs central difference " + numeric);
        }
    }
}

package dev.tensorbackend.api.check;

import dev.tensorbackend.api.Backend;
import dev.tensorbackend.api.ConvSpec;
import dev.tensorbackend.api.Shape;
import dev.tensorbackend.api.Tensor;
import dev.tensorbackend.api.Tolerance;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Runs every op of {@link Backend} on a candidate backend and on a reference backend (the
 * {@code reference} backend's plain loops in the crosscheck command)
 * with the same seeded random inputs, over many shapes: 1x1, odd sizes, tall and skinny,
 * sizes that are multiples of no tile, and one large case per op. Each element must satisfy
 * {@code |candidate - reference| <= atol + rtol * |reference|} with the op's tolerance below;
 * the report gives, per case and per op, the worst absolute and relative error.
 *
 * <p>Tolerances, and why:
 * <ul>
 * <li>upload/download, zeros, reshape, add, mul, scale, relu, reluBackward, addBias: exact
 *     (0, 0). Each element is one IEEE float operation, or a copy, and Java's float
 *     arithmetic is IEEE: a correct backend returns the same bits.</li>
 * <li>axpy, sgdUpdate: atol 1e-7, rtol 2.4e-7 (about one float rounding of values near 1):
 *     a backend may fuse the multiply-add, which rounds once instead of twice.</li>
 * <li>matmul, conv2d and its two backward passes, sumToAxis: {@link #reduction(long)} of the
 *     number of terms each output element adds up, atol 1e-6 per term, rtol 1e-5. The
 *     reference adds in double; a float32 sum of t terms of size about 1 drifts by roughly
 *     t * 2^-24 / 3 typically, so the limit leaves a wide margin for the order of additions
 *     while a wrong index (an error the size of a term) still fails.</li>
 * <li>sum: atol 1e-7 per element plus 1e-6, rtol 1e-6: the total of up to a million
 *     elements, where dropping or doubling one element must still fail.</li>
 * <li>softmax: atol 1e-7, rtol 5e-5: expf is within 2 ulp, and x - max is rounded to
 *     float before exp, which for inputs up to 50 in size costs up to |x - max| * 2^-24
 *     relative.</li>
 * <li>softmaxBackward: atol 1e-6, rtol 1e-4: the row's dot product (at most 1 in size, y being
 *     a distribution) is float-accumulated and then subtracted from dy, cancelling digits.</li>
 * </ul>
 */
public final class CrossCheck {
    /** Backend methods that are not ops and are not compared, with the reason. */
    public static final Map<String, String> NOT_COMPARED = Map.of(
            "name/0", "identifies the backend; there is nothing to compare",
            "close/0", "ends the backend's life, which its owner controls; every case closes its tensors",
            "memoryStats/0", "reports the backend's own bookkeeping (sizes rounded, caches), which differs by design;"
                    + " the contract suite checks it",
            "deviceMillis/1", "a timing, which differs by nature (none at all on the CPU); the contract suite checks that"
                    + " it runs the work");

    public static final Tolerance EXACT = new Tolerance(0, 0);
    public static final Tolerance AXPY = new Tolerance(1e-7, 2.4e-7);
    public static final Tolerance SOFTMAX = new Tolerance(1e-7, 5e-5);
    public static final Tolerance SOFTMAX_BACKWARD = new Tolerance(1e-6, 1e-4);

    private static final long SEED = 20_260_326L;

    private CrossCheck() {
    }

    /** The tolerance of an output element that adds up {@code terms} products of values about 1 in size. */
    public static Tolerance reduction(long terms) {
        return new Tolerance(1e-6 * Math.max(terms, 1), 1e-5);
    }

    public static Tolerance sumOf(long elements) {
        return new Tolerance(1e-7 * elements + 1e-6, 1e-6);
    }

    /** Every case against the reference; never throws for a failing op, it reports it. */
    public static CrossCheckReport run(Backend candidate, Backend reference) {
        return run(candidate, reference, cases());
    }

    public static CrossCheckReport run(Backend candidate, Backend reference, List<OpCase> cases) {
        List<CaseResult> results = new ArrayList<>();
        for (OpCase c : cases) {
            float[] expected;
            try {
                expected = runOn(reference, c);
            } catch (RuntimeException e) {
                results.add(new CaseResult(c, null, "the reference " + reference.name() + " failed: " + e));
                continue;
            }
            float[] actual;
            try {
                actual = runOn(candidate, c);
            } catch (RuntimeException e) {
                results.add(new CaseResult(c, null, candidate.name() + " failed: " + e));
                continue;
            }
            if (actual.length != expected.length) {
                results.add(new CaseResult(c, null, candidate.name() + " returned " + actual.length
                        + " values, the reference " + expected.length));
                continue;
            }
            results.add(new CaseResult(c, c.tolerance().compare(expected, actual), null));
        }
        return new CrossCheckReport(candidate.name(), reference.name(), List.copyOf(results));
    }

    private static float[] runOn(Backend backend, OpCase c) {
        try (OpInputs in = new OpInputs(backend, c.seed())) {
            return c.body().run(in);
        }
    }

    // ---- coverage -------------------------------------------------------------------------

    /** {@code name/parameterCount} of a method, the key cases use. */
    public static String key(Method m) {
        return m.getName() + "/" + m.getParameterCount();
    }

    /** Every public instance method of {@link Backend}, by key. */
    public static Set<String> backendMethods() {
        Set<String> keys = new TreeSet<>();
        for (Method m : Backend.class.getMethods()) {
            if (!Modifier.isStatic(m.getModifiers()) && m.getDeclaringClass() != Object.class) {
                keys.add(key(m));
            }
        }
        return keys;
    }

    /** The Backend methods some case compares. */
    public static Set<String> coveredMethods(List<OpCase> cases) {
        Set<String> keys = new TreeSet<>();
        cases.forEach(c -> keys.add(c.method()));
        return keys;
    }

    /** Backend methods neither compared by a case nor listed in {@link #NOT_COMPARED}; empty when coverage is full. */
    public static Set<String> uncoveredMethods(List<OpCase> cases) {
        Set<String> missing = new TreeSet<>(backendMethods());
        missing.removeAll(coveredMethods(cases));
        missing.removeAll(NOT_COMPARED.keySet());
        return missing;
    }

    // ---- the cases ------------------------------------------------------------------------

    /** Every case, in a fixed order, each with its own seed. */
    public static List<OpCase> cases() {
        Builder b = new Builder();
        dataMovement(b);
        matmul(b);
        conv2d(b);
        softmax(b);
        biasAndReductions(b);
        elementwise(b);
        return b.cases();
    }

    private static final class Builder {
        private final List<OpCase> cases = new ArrayList<>();

        void add(String method, String description, Tolerance tolerance, OpCase.Body body) {
            cases.add(new OpCase(method, description, tolerance, SEED + 7919L * cases.size(), body));
        }

        List<OpCase> cases() {
            return List.copyOf(cases);
        }
    }

    private static String dims(int... d) {
        return Arrays.toString(d);
    }

    private static void dataMovement(Builder b) {
        for (int[] d : new int[][] {{1}, {3, 5}, {0, 4}, {257, 129}}) {
            Shape s = Shape.of(d);
            b.add("upload/2", dims(d) + " and download", EXACT, in -> in.upload(s, in.values(s.size())).toArray());
            b.add("download/1", dims(d), EXACT, in -> in.backend().download(in.random(s)));
            b.add("zeros/1", dims(d), EXACT, in -> in.result(in.backend().zeros(s)));
        }
        b.add("reshape/2", "[6, 35] to [2, 3, 5, 7]", EXACT,
                in -> in.result(in.backend().reshape(in.random(Shape.of(6, 35)), Shape.of(2, 3, 5, 7))));
        b.add("reshape/2", "[0, 3] to [3, 0]", EXACT,
                in -> in.result(in.backend().reshape(in.random(Shape.of(0, 3)), Shape.of(3, 0))));
        b.add("synchronize/0", "after a queued scale of [513, 3]", EXACT, in -> {
            Tensor y = in.keep(in.backend().scale(in.random(Shape.of(513, 3)), 2f));
            in.backend().synchronize();
            return y.toArray();
        });
    }

    /**
     * {m, k, n}: 1x1, odd, square (where a transpose mix-up keeps the shapes and changes the
     * values), exactly one 64-tile, tall-skinny, long and thin K, not tile multiples, large.
     */
    private static final int[][] MATMUL_SIZES = {
            {1, 1, 1}, {7, 5, 3}, {17, 17, 17}, {64, 64, 64}, {1031, 5, 3}, {3, 1031, 5}, {2, 3, 1029}, {65, 33, 17}, {129, 67, 97}, {300, 257, 190}};

    private static void matmul(Builder b) {
        for (int[] s : MATMUL_SIZES) {
            for (int flags = 0; flags < 4; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
                int m = s[0], k = s[1], n = s[2];
                Shape a = ta ? Shape.of(k, m) : Shape.of(m, k), bs = tb ? Shape.of(n, k) : Shape.of(k, n);
                b.add("matmul/4", "m,k,n=" + dims(s) + (ta ? " a^T" : "") + (tb ? " b^T" : ""), reduction(k),
                        in -> in.result(in.backend().matmul(in.random(a), ta, in.random(bs), tb)));
            }
        }
        // batched, and a rank-2 operand shared by every batch entry (batch stride 0)
        int batch = 3, m = 33, k = 17, n = 65;
        for (int flags = 0; flags < 4; flags++) {
            boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
            Shape a2 = ta ? Shape.of(k, m) : Shape.of(m, k), b2 = tb ? Shape.of(n, k) : Shape.of(k, n);
            Shape a3 = Shape.of(batch, a2.dim(0), a2.dim(1)), b3 = Shape.of(batch, b2.dim(0), b2.dim(1));
            String t = (ta ? " a^T" : "") + (tb ? " b^T" : "");
            b.add("matmul/4", "batch 3 x both" + t, reduction(k),
                    in -> in.result(in.backend().matmul(in.random(a3), ta, in.random(b3), tb)));
            b.add("matmul/4", "batch 3, a shared" + t, reduction(k),
                    in -> in.result(in.backend().matmul(in.random(a2), ta, in.random(b3), tb)));
            b.add("matmul/4", "batch 3, b shared" + t, reduction(k),
                    in -> in.result(in.backend().matmul(in.random(a3), ta, in.random(b2), tb)));
        }
        // a weight gradient X^T dY: small result, long K (the CUDA backend splits K here)
        b.add("matmul/4", "weight gradient [4096, 8]^T x [4096, 8]", reduction(4096),
                in -> in.result(in.backend().matmul(in.random(Shape.of(4096, 8)), true, in.random(Shape.of(4096, 8)), false)));
        b.add("matmul/4", "k = 0: [4, 0] x [0, 3] is zeros", EXACT,
                in -> in.result(in.backend().matmul(in.random(Shape.of(4, 0)), false, in.random(Shape.of(0, 3)), false)));
        b.add("matmul/2", "[5, 7] x [7, 3]", reduction(7),
                in -> in.result(in.backend().matmul(in.random(Shape.of(5, 7)), in.random(Shape.of(7, 3)))));
    }

    /** n, c, h, w, k, r, s, strideH, strideW, padH, padW. */
    private static final int[][] CONV_SIZES = {
            {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0},     // 1x1
            {2, 3, 7, 5, 4, 3, 3, 1, 1, 1, 1},     // odd, same padding
            {1, 2, 9, 11, 3, 3, 2, 2, 3, 1, 0},    // unequal strides and padding
            {3, 5, 13, 13, 6, 5, 5, 2, 2, 2, 2},   // strided 5x5
            {1, 1, 64, 3, 2, 3, 3, 1, 1, 1, 1},    // tall and skinny
            {1, 2, 4, 4, 2, 6, 6, 1, 1, 1, 1},     // filter as large as the padded input
            {2, 3, 5, 5, 2, 2, 2, 3, 3, 0, 0},     // stride larger than the filter: skipped pixels
            {4, 8, 32, 32, 16, 3, 3, 1, 1, 1, 1},  // large
            {4, 1, 64, 32, 1, 2, 2, 2, 2, 0, 0},   // the networks' layer: one channel, 2x2, stride 2
            {3, 2, 11, 9, 3, 2, 2, 2, 2, 1, 1}};   // a few channels each way, odd, padded

    private static void conv2d(Builder b) {
        for (int[] g : CONV_SIZES) {
            Shape input = Shape.of(g[0], g[1], g[2], g[3]), filter = Shape.of(g[4], g[1], g[5], g[6]);
            ConvSpec spec = new ConvSpec(g[7], g[8], g[9], g[10]);
            int outH = (g[2] + 2 * g[9] - g[5]) / g[7] + 1, outW = (g[3] + 2 * g[10] - g[6]) / g[8] + 1;
            Shape output = Shape.of(g[0], g[4], outH, outW);
            String d = "input" + input + " filter" + filter + " stride (" + g[7] + ", " + g[8] + ") pad (" + g[9] + ", "
                    + g[10] + ")";
            b.add("conv2d/3", d, reduction((long) g[1] * g[5] * g[6]),
                    in -> in.result(in.backend().conv2d(in.random(input), in.random(filter), spec)));
            b.add("conv2dBackwardInput/4", d, reduction((long) g[4] * g[5] * g[6]),
                    in -> in.result(in.backend().conv2dBackwardInput(in.random(output), in.random(filter), input, spec)));
            b.add("conv2dBackwardFilter/4", d, reduction((long) g[0] * outH * outW),
                    in -> in.result(in.backend().conv2dBackwardFilter(in.random(input), in.random(output), filter, spec)));
        }
    }

    /** Row lengths on both sides of the warp-per-row limit of a GPU kernel (1024), and beyond. */
    private static final int[][] SOFTMAX_SHAPES = {
            {1, 1}, {3, 5}, {7, 33}, {1000, 3}, {4, 1024}, {3, 1025}, {2, 5000}, {2, 3, 17}, {65, 257}};

    private static void softmax(Builder b) {
        for (int[] d : SOFTMAX_SHAPES) {
            Shape s = Shape.of(d);
            b.add("softmax/1", dims(d), SOFTMAX, in -> in.result(in.backend().softmax(in.random(s))));
            b.add("softmaxBackward/2", dims(d), SOFTMAX_BACKWARD, in -> {
                float[] y = distributions(in, s);
                return in.result(in.backend().softmaxBackward(in.upload(s, y), in.random(s)));
            });
        }
        // large inputs: without subtracting the row maximum exp overflows
        Shape wide = Shape.of(9, 40);
        b.add("softmax/1", "[9, 40] values up to +-50", SOFTMAX,
                in -> in.result(in.backend().softmax(in.upload(wide, in.values(wide.size(), 50f)))));
    }

    /** Random rows that are probability distributions, as softmax outputs are. */
    private static float[] distributions(OpInputs in, Shape s) {
        int cols = s.dim(-1);
        float[] y = in.values(s.size());
        for (int row = 0; row < s.size() / cols; row++) {
            double total = 0;
            for (int c = 0; c < cols; c++) {
                y[row * cols + c] = Math.abs(y[row * cols + c]) + 1e-3f;
                total += y[row * cols + c];
            }
            for (int c = 0; c < cols; c++) {
                y[row * cols + c] = (float) (y[row * cols + c] / total);
            }
        }
        return y;
    }

    /** x dims and the axis the bias runs along. */
    private static final int[][][] BIAS_CASES = {
            {{1}, {0}}, {{4, 7}, {1}}, {{4, 7}, {0}}, {{2, 3, 5, 7}, {1}}, {{2, 3, 5, 7}, {-1}},
            {{1031, 3}, {1}}, {{3, 1031}, {0}}, {{8, 64, 33, 17}, {1}}};

    private static void biasAndReductions(Builder b) {
        for (int[][] c : BIAS_CASES) {
            Shape s = Shape.of(c[0]);
            int axis = c[1][0];
            int len = s.dim(axis);
            long terms = s.size() / Math.max(len, 1);
            b.add("addBias/3", dims(c[0]) + " axis " + axis, EXACT,
                    in -> in.result(in.backend().addBias(in.random(s), in.random(Shape.of(len)), axis)));
            b.add("sumToAxis/2", dims(c[0]) + " axis " + axis, reduction(terms),
                    in -> in.result(in.backend().sumToAxis(in.random(s), axis)));
        }
        b.add("sumToAxis/2", "[0, 5] axis 1 is zeros", EXACT,
                in -> in.result(in.backend().sumToAxis(in.random(Shape.of(0, 5)), 1)));
        for (int n : new int[] {1, 255, 256, 257, 4099, 262_145, 1_000_003}) {
            b.add("sum/1", "[" + n + "]", sumOf(n), in -> in.result(in.backend().sum(in.random(Shape.of(n)))));
        }
        b.add("sum/1", "[0] is 0", EXACT, in -> in.result(in.backend().sum(in.random(Shape.of(0)))));
    }

    /** Values every element-wise op must pass through as IEEE arithmetic says. */
    private static final float[] SPECIALS = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
            Float.MIN_NORMAL, -Float.MIN_NORMAL, 1e30f, -1e30f, 1f, -1f};

    /** Random values with the specials spread among them. */
    private static float[] withSpecials(OpInputs in, int n) {
        float[] v = in.values(n);
        for (int i = 0; i < n; i += 7) {
            v[i] = SPECIALS[(i / 7) % SPECIALS.length];
        }
        return v;
    }

    private static final int[][] ELEMENTWISE_SHAPES = {{1}, {1001}, {64, 257}, {3, 0}, {1 << 18}};

    private static void elementwise(Builder b) {
        for (int[] d : ELEMENTWISE_SHAPES) {
            Shape s = Shape.of(d);
            String name = dims(d) + (s.size() >= 11 ? " with NaN, infinities and signed zeros" : "");
            b.add("relu/1", name, EXACT, in -> in.result(in.backend().relu(in.upload(s, withSpecials(in, s.size())))));
            b.add("reluBackward/2", name, EXACT, in -> in.result(in.backend().reluBackward(
                    in.upload(s, withSpecials(in, s.size())), in.random(s))));
            b.add("add/2", name, EXACT, in -> in.result(in.backend().add(
                    in.upload(s, withSpecials(in, s.size())), in.random(s))));
            b.add("mul/2", name, EXACT, in -> in.result(in.backend().mul(
                    in.upload(s, withSpecials(in, s.size())), in.random(s))));
            b.add("scale/2", name + " times -0.37", EXACT,
                    in -> in.result(in.backend().scale(in.upload(s, withSpecials(in, s.size())), -0.37f)));
            b.add("axpy/3", dims(d) + " alpha 0.73", AXPY, in -> {
                Tensor y = in.random(s);
                in.backend().axpy(0.73f, in.random(s), y);
                return y.toArray();
            });
            b.add("sgdUpdate/3", dims(d) + " learning rate 0.1", AXPY, in -> {
                Tensor param = in.random(s);
                in.backend().sgdUpdate(param, in.random(s), 0.1f);
                return param.toArray();
            });
        }
    }

    /** The ops the cases cover, by op name, in the order they first appear. */
    public static Set<String> opNames(List<OpCase> cases) {
        Set<String> names = new LinkedHashSet<>();
        cases.forEach(c -> names.add(c.op()));
        return names;
    }
}

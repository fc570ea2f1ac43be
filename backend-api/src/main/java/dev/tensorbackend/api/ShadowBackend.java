package dev.tensorbackend.api;

import dev.tensorbackend.api.check.CrossCheck;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Shadow execution: every op runs on the primary backend, whose results the program gets,
 * and again on the shadow backend, on copies of the very same input values (downloaded from
 * the primary just before), and the two results are compared with the cross-check's
 * tolerance for that op. The first op whose results differ throws a {@link BackendException}
 * naming the op, its shapes, its position in the program (op count), the worst element's
 * index and both values, and the tolerance. Because each op starts from the primary's own
 * inputs, differences do not pile up from op to op: the op named is the one that diverges.
 *
 * <p>Tolerances are {@link CrossCheck}'s, which assume operands of about 1 in size. A program's
 * values may be larger, so the absolute part grows with the largest finite input magnitude of
 * the op (for a product, of both operands): the error of a float sum scales with its terms.
 *
 * <p>Select it with {@code -Dtensor.shadow=NAME} or {@code TENSOR_SHADOW} (see {@link Backends}).
 * It is slow by design (every op downloads its inputs and runs twice), so never time it.
 */
public final class ShadowBackend extends AbstractBackend<ShadowBackend.ShadowTensor> {
    private final Backend primary;
    private final Backend shadow;
    private final AtomicLong ops = new AtomicLong();

    /** Owns both backends: closing this closes them. */
    public ShadowBackend(Backend primary, Backend shadow) {
        super(ShadowTensor.class);
        this.primary = primary;
        this.shadow = shadow;
    }

    /** A tensor of the primary backend, seen through the shadowing backend. */
    public static final class ShadowTensor extends Tensor {
        private final Tensor inner;

        ShadowTensor(ShadowBackend backend, Tensor inner) {
            super(backend, inner.shape());
            this.inner = inner;
        }

        @Override
        protected void release() {
            inner.close();
        }
    }

    @Override
    public String name() {
        return primary.name() + " shadowed by " + shadow.name();
    }

    public Backend primary() {
        return primary;
    }

    public Backend shadow() {
        return shadow;
    }

    /** Ops run so far; the count a divergence reports. */
    public long opCount() {
        return ops.get();
    }

    /** The primary's: the program's memory is the primary's. */
    @Override
    public MemoryStats memoryStats() {
        return primary.memoryStats();
    }

    // ---- comparing -----------------------------------------------------------------------

    /** An input of one op: its values, downloaded once from the primary, to be uploaded to the shadow. */
    private record Input(String role, Shape shape, float[] values) {
        Tensor on(Backend b) {
            return b.upload(shape, values);
        }

        /** The largest finite magnitude, at least 1: the scale of the op's rounding errors. */
        double scale() {
            double m = 1;
            for (float v : values) {
                if (Float.isFinite(v)) {
                    m = Math.max(m, Math.abs(v));
                }
            }
            return m;
        }

        @Override
        public String toString() {
            return role + shape;
        }
    }

    private Input in(String role, ShadowTensor t) {
        return new Input(role, t.shape(), primary.download(t.inner));
    }

    /** The cross-check's tolerance with its absolute part scaled by {@code scale}. */
    private static Tolerance scaled(Tolerance t, double scale) {
        return new Tolerance(t.atol() * scale, t.rtol());
    }

    /**
     * Compares the primary's {@code result} with what {@code onShadow} gives on the shadow
     * backend; on a divergence closes {@code result} and throws. Returns the result wrapped.
     */
    private ShadowTensor compared(long count, String op, Input[] inputs, Tensor result,
                                  Function<Backend, Tensor> onShadow, Tolerance tolerance) {
        try {
            float[] expected;
            try (TensorScope scope = new TensorScope()) {
                expected = scope.track(onShadow.apply(shadow)).toArray();
            } catch (RuntimeException e) {
                throw new BackendException("shadow: op " + count + ", " + op + Arrays.toString(inputs) + " ran on "
                        + primary.name() + " but failed on " + shadow.name() + ": " + e.getMessage(), e);
            }
            check(count, op, inputs, result.shape(), result.toArray(), expected, tolerance);
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
        return new ShadowTensor(this, result);
    }

    private void check(long count, String op, Input[] inputs, Shape shape, float[] actual, float[] expected,
                       Tolerance tolerance) {
        String call = "op " + count + ", " + op + "(" + String.join(", ", Arrays.stream(inputs).map(Input::toString).toList()) + ")";
        if (actual.length != expected.length) {
            throw new BackendException("shadow: " + call + ": " + primary.name() + " returned " + actual.length
                    + " values, " + shadow.name() + " " + expected.length);
        }
        Tolerance.Comparison c = tolerance.compare(expected, actual);
        if (!c.passed()) {
            throw new BackendException(String.format(
                    "shadow: %s diverges: element %d %s of result%s is %s on %s and %s on %s; |difference| %.3g"
                            + " > atol %.3g + rtol %.3g * |%s| (the cross-check's tolerance for %s)",
                    call, c.index(), position(shape, c.index()), shape, c.actual(), primary.name(), c.expected(), shadow.name(),
                    Math.abs((double) c.actual() - c.expected()), tolerance.atol(), tolerance.rtol(), shadow.name(), op));
        }
    }

    /** The multi-index of flat element {@code index} in {@code shape}. */
    static String position(Shape shape, int index) {
        int[] at = new int[shape.rank()];
        for (int axis = shape.rank() - 1, rest = index; axis >= 0; axis--) {
            at[axis] = rest % Math.max(shape.dim(axis), 1);
            rest /= Math.max(shape.dim(axis), 1);
        }
        return Arrays.toString(at);
    }

    private ShadowTensor wrap(Tensor t) {
        return new ShadowTensor(this, t);
    }

    // ---- the ops, each run on both ---------------------------------------------------------

    @Override
    protected ShadowTensor allocate(Shape shape, float[] data) {
        long n = ops.incrementAndGet();
        return compared(n, "upload", new Input[] {new Input("data", shape, data)}, primary.upload(shape, data),
                s -> s.upload(shape, data), CrossCheck.EXACT);
    }

    @Override
    protected ShadowTensor allocateZeros(Shape shape) {
        long n = ops.incrementAndGet();
        return compared(n, "zeros", new Input[0], primary.zeros(shape), s -> s.zeros(shape), CrossCheck.EXACT);
    }

    @Override
    protected float[] read(ShadowTensor t) {
        return primary.download(t.inner);
    }

    @Override
    protected ShadowTensor copyAs(ShadowTensor x, Shape shape) {
        long n = ops.incrementAndGet();
        Input ix = in("x", x);
        return compared(n, "reshape", new Input[] {ix}, primary.reshape(x.inner, shape), s -> s.reshape(ix.on(s), shape),
                CrossCheck.EXACT);
    }

    @Override
    protected ShadowTensor doMatmul(ShadowTensor a, ShadowTensor b, MatmulDims d) {
        long n = ops.incrementAndGet();
        Input ia = in(d.transA() ? "a^T of a" : "a", a), ib = in(d.transB() ? "b^T of b" : "b", b);
        return compared(n, "matmul", new Input[] {ia, ib}, primary.matmul(a.inner, d.transA(), b.inner, d.transB()),
                s -> s.matmul(ia.on(s), d.transA(), ib.on(s), d.transB()), scaled(CrossCheck.reduction(d.k()), ia.scale() * ib.scale()));
    }

    @Override
    protected ShadowTensor doConv2d(ShadowTensor input, ShadowTensor filter, Conv2dGeometry g) {
        long n = ops.incrementAndGet();
        Input ii = in("input", input), f = in("filter", filter);
        return compared(n, "conv2d", new Input[] {ii, f}, primary.conv2d(input.inner, filter.inner, g.spec()),
                s -> s.conv2d(ii.on(s), f.on(s), g.spec()),
                scaled(CrossCheck.reduction((long) g.c() * g.r() * g.s()), ii.scale() * f.scale()));
    }

    @Override
    protected ShadowTensor doConv2dBackwardInput(ShadowTensor gradOutput, ShadowTensor filter, Conv2dGeometry g) {
        long n = ops.incrementAndGet();
        Input go = in("gradOutput", gradOutput), f = in("filter", filter);
        return compared(n, "conv2dBackwardInput", new Input[] {go, f},
                primary.conv2dBackwardInput(gradOutput.inner, filter.inner, g.inputShape(), g.spec()),
                s -> s.conv2dBackwardInput(go.on(s), f.on(s), g.inputShape(), g.spec()),
                scaled(CrossCheck.reduction((long) g.k() * g.r() * g.s()), go.scale() * f.scale()));
    }

    @Override
    protected ShadowTensor doConv2dBackwardFilter(ShadowTensor input, ShadowTensor gradOutput, Conv2dGeometry g) {
        long n = ops.incrementAndGet();
        Input ii = in("input", input), go = in("gradOutput", gradOutput);
        return compared(n, "conv2dBackwardFilter", new Input[] {ii, go},
                primary.conv2dBackwardFilter(input.inner, gradOutput.inner, g.filterShape(), g.spec()),
                s -> s.conv2dBackwardFilter(ii.on(s), go.on(s), g.filterShape(), g.spec()),
                scaled(CrossCheck.reduction((long) g.n() * g.outH() * g.outW()), ii.scale() * go.scale()));
    }

    /**
     * Softmax rounds {@code x - max} to float before exp, an error of up to |x - max| * 2^-24
     * relative; the cross-check's rtol covers inputs up to 50 in size and grows beyond.
     */
    @Override
    protected ShadowTensor doSoftmax(ShadowTensor x, int rows, int cols) {
        long n = ops.incrementAndGet();
        Input ix = in("x", x);
        Tolerance t = new Tolerance(CrossCheck.SOFTMAX.atol(), CrossCheck.SOFTMAX.rtol() * Math.max(1, ix.scale() / 50));
        return compared(n, "softmax", new Input[] {ix}, primary.softmax(x.inner), s -> s.softmax(ix.on(s)), t);
    }

    @Override
    protected ShadowTensor doSoftmaxBackward(ShadowTensor y, ShadowTensor gradY, int rows, int cols) {
        long n = ops.incrementAndGet();
        Input iy = in("y", y), ig = in("gradY", gradY);
        return compared(n, "softmaxBackward", new Input[] {iy, ig}, primary.softmaxBackward(y.inner, gradY.inner),
                s -> s.softmaxBackward(iy.on(s), ig.on(s)), scaled(CrossCheck.SOFTMAX_BACKWARD, ig.scale()));
    }

    @Override
    protected ShadowTensor doAddBias(ShadowTensor x, ShadowTensor bias, int outer, int len, int inner) {
        long n = ops.incrementAndGet();
        int axis = axisOf(x.shape(), outer, len);
        Input ix = in("x", x), ib = in("bias", bias);
        return compared(n, "addBias", new Input[] {ix, ib}, primary.addBias(x.inner, bias.inner, axis),
                s -> s.addBias(ix.on(s), ib.on(s), axis), CrossCheck.EXACT);
    }

    @Override
    protected ShadowTensor doSumToAxis(ShadowTensor x, int outer, int len, int inner) {
        long n = ops.incrementAndGet();
        int axis = axisOf(x.shape(), outer, len);
        Input ix = in("x", x);
        return compared(n, "sumToAxis", new Input[] {ix}, primary.sumToAxis(x.inner, axis), s -> s.sumToAxis(ix.on(s), axis),
                scaled(CrossCheck.reduction((long) outer * inner), ix.scale()));
    }

    /**
     * An axis whose view of x is [outer, len, inner]: AbstractBackend passes the view, not the
     * axis, and every axis with the same view means the same op.
     */
    private static int axisOf(Shape s, int outer, int len) {
        long before = 1;
        for (int a = 0; a < s.rank(); a++) {
            if (before == outer && s.dim(a) == len) {
                return a;
            }
            before *= s.dim(a);
        }
        throw new IllegalStateException("no axis of " + s + " has " + outer + " elements before it and length " + len);
    }

    @Override
    protected ShadowTensor doRelu(ShadowTensor x) {
        long n = ops.incrementAndGet();
        Input ix = in("x", x);
        return compared(n, "relu", new Input[] {ix}, primary.relu(x.inner), s -> s.relu(ix.on(s)), CrossCheck.EXACT);
    }

    @Override
    protected ShadowTensor doReluBackward(ShadowTensor x, ShadowTensor gradY) {
        long n = ops.incrementAndGet();
        Input ix = in("x", x), ig = in("gradY", gradY);
        return compared(n, "reluBackward", new Input[] {ix, ig}, primary.reluBackward(x.inner, gradY.inner),
                s -> s.reluBackward(ix.on(s), ig.on(s)), CrossCheck.EXACT);
    }

    @Override
    protected ShadowTensor doAdd(ShadowTensor a, ShadowTensor b) {
        long n = ops.incrementAndGet();
        Input ia = in("a", a), ib = in("b", b);
        return compared(n, "add", new Input[] {ia, ib}, primary.add(a.inner, b.inner), s -> s.add(ia.on(s), ib.on(s)),
                CrossCheck.EXACT);
    }

    @Override
    protected ShadowTensor doMul(ShadowTensor a, ShadowTensor b) {
        long n = ops.incrementAndGet();
        Input ia = in("a", a), ib = in("b", b);
        return compared(n, "mul", new Input[] {ia, ib}, primary.mul(a.inner, b.inner), s -> s.mul(ia.on(s), ib.on(s)),
                CrossCheck.EXACT);
    }

    @Override
    protected ShadowTensor doScale(ShadowTensor x, float alpha) {
        long n = ops.incrementAndGet();
        Input ix = in("x", x);
        return compared(n, "scale", new Input[] {ix}, primary.scale(x.inner, alpha), s -> s.scale(ix.on(s), alpha),
                CrossCheck.EXACT);
    }

    @Override
    protected ShadowTensor doSum(ShadowTensor x) {
        long n = ops.incrementAndGet();
        Input ix = in("x", x);
        return compared(n, "sum", new Input[] {ix}, primary.sum(x.inner), s -> s.sum(ix.on(s)),
                scaled(CrossCheck.sumOf(x.size()), ix.scale()));
    }

    /** In place on y: both backends update their own copy of y, then the two are compared. */
    @Override
    protected void doAxpy(float alpha, ShadowTensor x, ShadowTensor y) {
        long n = ops.incrementAndGet();
        Input ix = in("x", x), iy = in("y", y);
        primary.axpy(alpha, x.inner, y.inner);
        float[] expected;
        try (TensorScope scope = new TensorScope()) {
            Tensor sy = scope.track(iy.on(shadow));
            shadow.axpy(alpha, scope.track(ix.on(shadow)), sy);
            expected = sy.toArray();
        }
        double scale = Math.max(Math.abs(alpha) * ix.scale(), iy.scale());
        check(n, "axpy", new Input[] {ix, iy}, y.shape(), primary.download(y.inner), expected, scaled(CrossCheck.AXPY, scale));
    }

    @Override
    protected void doSynchronize() {
        primary.synchronize();
        shadow.synchronize();
    }

    @Override
    protected void doClose() {
        try {
            primary.close();
        } finally {
            shadow.close();
        }
    }
}

package dev.tensorbackend.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.WeakHashMap;

/**
 * Checks every argument in one place, so that each backend implements only the arithmetic
 * and every backend reports bad input with the same words.
 *
 * <p>It also holds the one lifecycle rule of every backend: after {@link #close()} every op,
 * upload and {@link #synchronize()} throws a {@link BackendException} naming the call;
 * closing closes every tensor of the backend still open; closing twice does nothing. Open
 * tensors are held weakly, so a tensor the caller dropped without closing does not stay
 * reachable because of this bookkeeping.
 *
 * <p>Threads: every public call runs inside {@link #guard(String)}, which a backend that is
 * not safe for concurrent calls overrides with a lock (CUDA does); the checks and the
 * bookkeeping here are safe for concurrent use.
 *
 * @param <T> the backend's own tensor class
 */
public abstract class AbstractBackend<T extends Tensor> implements Backend {
    private final Class<T> tensorClass;
    /** Open tensors; weak keys, so the map never keeps a dropped tensor alive. */
    private final Map<Tensor, Boolean> open = Collections.synchronizedMap(new WeakHashMap<>());
    private volatile boolean closed;

    protected AbstractBackend(Class<T> tensorClass) {
        this.tensorClass = tensorClass;
    }

    /** Held for the length of one public call; {@link #guard} hands one out. */
    protected interface Guard extends AutoCloseable {
        @Override
        void close();
    }

    private static final Guard UNGUARDED = () -> {
    };

    // ---- what a backend implements: arguments already checked ----------------------------

    protected abstract T allocate(Shape shape, float[] data);

    protected abstract T allocateZeros(Shape shape);

    protected abstract float[] read(T t);

    /** Copies {@code x}'s elements into a new tensor of {@code shape} (same size). */
    protected abstract T copyAs(T x, Shape shape);

    protected abstract T doMatmul(T a, T b, MatmulDims dims);

    protected abstract T doConv2d(T input, T filter, Conv2dGeometry g);

    protected abstract T doConv2dBackwardInput(T gradOutput, T filter, Conv2dGeometry g);

    protected abstract T doConv2dBackwardFilter(T input, T gradOutput, Conv2dGeometry g);

    protected abstract T doSoftmax(T x, int rows, int cols);

    protected abstract T doSoftmaxBackward(T y, T gradY, int rows, int cols);

    /** x viewed as [outer, len, inner]; bias (length len) added along the middle axis. */
    protected abstract T doAddBias(T x, T bias, int outer, int len, int inner);

    /** x viewed as [outer, len, inner], summed over outer and inner. */
    protected abstract T doSumToAxis(T x, int outer, int len, int inner);

    protected abstract T doRelu(T x);

    protected abstract T doReluBackward(T x, T gradY);

    protected abstract T doAdd(T a, T b);

    protected abstract T doMul(T a, T b);

    protected abstract T doScale(T x, float alpha);

    protected abstract T doSum(T x);

    protected abstract void doAxpy(float alpha, T x, T y);

    /** Waits for queued work; the backend is open. */
    protected abstract void doSynchronize();

    /** Releases the backend's own resources, after every open tensor was closed; called once. */
    protected abstract void doClose();

    /**
     * What every public call holds while it runs. The default holds nothing: the backend is
     * safe for concurrent calls. A backend whose state is not (CUDA) returns a lock here.
     */
    protected Guard guard(String op) {
        return UNGUARDED;
    }

    // ---- lifecycle ---------------------------------------------------------------------------

    public final boolean isClosed() {
        return closed;
    }

    /** Closes every open tensor, then the backend's own resources; a second call does nothing. */
    @Override
    public final void close() {
        try (Guard g = guard("close")) {
            if (closed) {
                return;
            }
            closed = true;
            try {
                List<Tensor> still;
                synchronized (open) {
                    still = new ArrayList<>(open.keySet());
                }
                for (Tensor t : still) {
                    t.close();
                }
            } finally {
                doClose();
            }
        }
    }

    @Override
    public final void synchronize() {
        try (Guard g = enter("synchronize")) {
            doSynchronize();
        }
    }

    /** Runs the work and waits for it, then asks the backend for the device's own timing of it. */
    @Override
    public final OptionalDouble deviceMillis(Runnable work) {
        try (Guard g = enter("deviceMillis")) {
            return doDeviceMillis(work);
        }
    }

    /**
     * The device's own timing of {@code work}, after waiting for it; by default none: the work
     * runs, then {@link #doSynchronize()}. The guard is held throughout, so on a backend that
     * serialises its callers no other thread's calls fall inside the measurement.
     */
    protected OptionalDouble doDeviceMillis(Runnable work) {
        work.run();
        doSynchronize();
        return OptionalDouble.empty();
    }

    /** Takes the guard and checks the backend is still open. */
    private Guard enter(String op) {
        Guard g = guard(op);
        if (closed) {
            g.close();
            throw new BackendException(op + ": the " + name() + " backend was closed");
        }
        return g;
    }

    /** Records a new tensor as open, so that {@link #close()} can close it. */
    private <R extends Tensor> R track(R t) {
        open.put(t, Boolean.TRUE);
        return t;
    }

    /** Called by {@link Tensor#close()}. */
    final void forget(Tensor t) {
        open.remove(t);
    }

    // ---- the checked public ops ----------------------------------------------------------

    @Override
    public final Tensor upload(Shape shape, float[] data) {
        try (Guard g = enter("upload")) {
            if (shape == null || data == null) {
                throw new BackendException("upload: shape and data must not be null");
            }
            if (data.length != shape.size()) {
                throw new BackendException("upload: shape " + shape + " holds " + shape.size()
                        + " values but the array has " + data.length);
            }
            return track(allocate(shape, data));
        }
    }

    @Override
    public final Tensor zeros(Shape shape) {
        try (Guard g = enter("zeros")) {
            if (shape == null) {
                throw new BackendException("zeros: shape must not be null");
            }
            return track(allocateZeros(shape));
        }
    }

    @Override
    public final float[] download(Tensor t) {
        try (Guard g = enter("download")) {
            return read(own("download", "tensor", t));
        }
    }

    @Override
    public final Tensor reshape(Tensor x, Shape shape) {
        try (Guard g = enter("reshape")) {
            T tx = own("reshape", "x", x);
            if (shape == null || shape.size() != x.size()) {
                throw new BackendException("reshape: cannot reshape " + x.shape() + " (" + x.size()
                        + " elements) to " + shape + (shape == null ? "" : " (" + shape.size() + " elements)"));
            }
            return track(copyAs(tx, shape));
        }
    }

    @Override
    public final Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB) {
        try (Guard g = enter("matmul")) {
            T ta = own("matmul", "a", a), tb = own("matmul", "b", b);
            return track(doMatmul(ta, tb, MatmulDims.of(a.shape(), transA, b.shape(), transB)));
        }
    }

    @Override
    public final Tensor conv2d(Tensor input, Tensor filter, ConvSpec spec) {
        try (Guard g = enter("conv2d")) {
            T ti = own("conv2d", "input", input), tf = own("conv2d", "filter", filter);
            return track(doConv2d(ti, tf, Conv2dGeometry.of("conv2d", input.shape(), filter.shape(), checkSpec("conv2d", spec))));
        }
    }

    @Override
    public final Tensor conv2dBackwardInput(Tensor gradOutput, Tensor filter, Shape inputShape, ConvSpec spec) {
        String op = "conv2dBackwardInput";
        try (Guard g = enter(op)) {
            T tg = own(op, "gradOutput", gradOutput), tf = own(op, "filter", filter);
            if (inputShape == null) {
                throw new BackendException(op + ": inputShape must not be null");
            }
            Conv2dGeometry geo = Conv2dGeometry.of(op, inputShape, filter.shape(), checkSpec(op, spec));
            checkGradOutput(op, geo, gradOutput);
            return track(doConv2dBackwardInput(tg, tf, geo));
        }
    }

    @Override
    public final Tensor conv2dBackwardFilter(Tensor input, Tensor gradOutput, Shape filterShape, ConvSpec spec) {
        String op = "conv2dBackwardFilter";
        try (Guard g = enter(op)) {
            T ti = own(op, "input", input), tg = own(op, "gradOutput", gradOutput);
            if (filterShape == null) {
                throw new BackendException(op + ": filterShape must not be null");
            }
            Conv2dGeometry geo = Conv2dGeometry.of(op, input.shape(), filterShape, checkSpec(op, spec));
            checkGradOutput(op, geo, gradOutput);
            return track(doConv2dBackwardFilter(ti, tg, geo));
        }
    }

    @Override
    public final Tensor softmax(Tensor x) {
        try (Guard g = enter("softmax")) {
            T tx = own("softmax", "x", x);
            checkRankAtLeast("softmax", "x", x, 1);
            int cols = x.shape().dim(-1);
            return track(doSoftmax(tx, cols == 0 ? 0 : x.size() / cols, cols));
        }
    }

    @Override
    public final Tensor softmaxBackward(Tensor y, Tensor gradY) {
        try (Guard g = enter("softmaxBackward")) {
            T ty = own("softmaxBackward", "y", y), tg = own("softmaxBackward", "gradY", gradY);
            checkRankAtLeast("softmaxBackward", "y", y, 1);
            checkSameShape("softmaxBackward", y, gradY);
            int cols = y.shape().dim(-1);
            return track(doSoftmaxBackward(ty, tg, cols == 0 ? 0 : y.size() / cols, cols));
        }
    }

    @Override
    public final Tensor addBias(Tensor x, Tensor bias, int axis) {
        try (Guard g = enter("addBias")) {
            T tx = own("addBias", "x", x), tb = own("addBias", "bias", bias);
            int a = checkAxis("addBias", x, axis);
            if (bias.shape().rank() != 1 || bias.size() != x.shape().dim(a)) {
                throw new BackendException("addBias: bias" + bias.shape() + " must have rank 1 and length "
                        + x.shape().dim(a) + " to match axis " + axis + " of x" + x.shape());
            }
            Shape s = x.shape();
            if (s.size() == 0) { // nothing to add; the axes around an empty one may multiply past int
                return track(allocateZeros(s));
            }
            return track(doAddBias(tx, tb, outer(s, a), s.dim(a), s.strideOf(a)));
        }
    }

    @Override
    public final Tensor sumToAxis(Tensor x, int axis) {
        try (Guard g = enter("sumToAxis")) {
            T tx = own("sumToAxis", "x", x);
            int a = checkAxis("sumToAxis", x, axis);
            Shape s = x.shape();
            if (s.size() == 0) { // an empty sum is 0 for every entry along the axis
                return track(allocateZeros(Shape.of(s.dim(a))));
            }
            return track(doSumToAxis(tx, outer(s, a), s.dim(a), s.strideOf(a)));
        }
    }

    @Override
    public final Tensor relu(Tensor x) {
        try (Guard g = enter("relu")) {
            return track(doRelu(own("relu", "x", x)));
        }
    }

    @Override
    public final Tensor reluBackward(Tensor x, Tensor gradY) {
        try (Guard g = enter("reluBackward")) {
            T tx = own("reluBackward", "x", x), tg = own("reluBackward", "gradY", gradY);
            checkSameShape("reluBackward", x, gradY);
            return track(doReluBackward(tx, tg));
        }
    }

    @Override
    public final Tensor add(Tensor a, Tensor b) {
        try (Guard g = enter("add")) {
            T ta = own("add", "a", a), tb = own("add", "b", b);
            checkSameShape("add", a, b);
            return track(doAdd(ta, tb));
        }
    }

    @Override
    public final Tensor mul(Tensor a, Tensor b) {
        try (Guard g = enter("mul")) {
            T ta = own("mul", "a", a), tb = own("mul", "b", b);
            checkSameShape("mul", a, b);
            return track(doMul(ta, tb));
        }
    }

    @Override
    public final Tensor scale(Tensor x, float alpha) {
        try (Guard g = enter("scale")) {
            return track(doScale(own("scale", "x", x), alpha));
        }
    }

    @Override
    public final Tensor sum(Tensor x) {
        try (Guard g = enter("sum")) {
            return track(doSum(own("sum", "x", x)));
        }
    }

    @Override
    public final void axpy(float alpha, Tensor x, Tensor y) {
        try (Guard g = enter("axpy")) {
            T tx = own("axpy", "x", x), ty = own("axpy", "y", y);
            checkSameShape("axpy", x, y);
            doAxpy(alpha, tx, ty);
        }
    }

    // ---- checks --------------------------------------------------------------------------

    /** The tensor as this backend's own class, after checking it is present, ours and open. */
    protected final T own(String op, String role, Tensor t) {
        if (t == null) {
            throw new BackendException(op + ": " + role + " must not be null");
        }
        if (t.backend() != this || !tensorClass.isInstance(t)) {
            String owner = t.backend().name().equals(name()) ? "another '" + name() + "' backend instance"
                    : "backend '" + t.backend().name() + "'";
            throw new BackendException(op + ": " + role + t.shape() + " belongs to " + owner + ", not to this '"
                    + name() + "' backend; move it with download and upload first");
        }
        if (t.isClosed()) {
            throw new BackendException(op + ": " + role + t.shape() + " was used after it was closed");
        }
        return tensorClass.cast(t);
    }

    private static ConvSpec checkSpec(String op, ConvSpec spec) {
        if (spec == null) {
            throw new BackendException(op + ": ConvSpec must not be null");
        }
        return spec;
    }

    private static void checkGradOutput(String op, Conv2dGeometry g, Tensor gradOutput) {
        if (!gradOutput.shape().equals(g.outputShape())) {
            throw new BackendException(op + ": gradOutput" + gradOutput.shape() + " does not match the convolution's output "
                    + g.outputShape() + " for input" + g.inputShape() + " and filter" + g.filterShape());
        }
    }

    private static void checkSameShape(String op, Tensor a, Tensor b) {
        if (!a.shape().equals(b.shape())) {
            throw new BackendException(op + ": shapes differ: " + a.shape() + " vs " + b.shape());
        }
    }

    private static void checkRankAtLeast(String op, String role, Tensor t, int rank) {
        if (t.shape().rank() < rank) {
            throw new BackendException(op + ": " + role + t.shape() + " must have rank " + rank + " or more");
        }
    }

    private static int checkAxis(String op, Tensor x, int axis) {
        int rank = x.shape().rank();
        int a = axis < 0 ? rank + axis : axis;
        if (a < 0 || a >= rank) {
            throw new BackendException(op + ": axis " + axis + " is out of range for x" + x.shape());
        }
        return a;
    }

    private static int outer(Shape s, int axis) {
        int n = 1;
        for (int i = 0; i < axis; i++) {
            n *= s.dim(i);
        }
        return n;
    }
}

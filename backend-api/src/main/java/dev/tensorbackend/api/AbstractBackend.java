package dev.tensorbackend.api;

/**
 * Checks every argument in one place, so that each backend implements only the arithmetic
 * and every backend reports bad input with the same words.
 *
 * @param <T> the backend's own tensor class
 */
public abstract class AbstractBackend<T extends Tensor> implements Backend {
    private final Class<T> tensorClass;

    protected AbstractBackend(Class<T> tensorClass) {
        this.tensorClass = tensorClass;
    }

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

    // ---- the checked public ops ----------------------------------------------------------

    @Override
    public final Tensor upload(Shape shape, float[] data) {
        if (shape == null || data == null) {
            throw new BackendException("upload: shape and data must not be null");
        }
        if (data.length != shape.size()) {
            throw new BackendException("upload: shape " + shape + " holds " + shape.size()
                    + " values but the array has " + data.length);
        }
        return allocate(shape, data);
    }

    @Override
    public final Tensor zeros(Shape shape) {
        if (shape == null) {
            throw new BackendException("zeros: shape must not be null");
        }
        return allocateZeros(shape);
    }

    @Override
    public final float[] download(Tensor t) {
        return read(own("download", "tensor", t));
    }

    @Override
    public final Tensor reshape(Tensor x, Shape shape) {
        T tx = own("reshape", "x", x);
        if (shape == null || shape.size() != x.size()) {
            throw new BackendException("reshape: cannot reshape " + x.shape() + " (" + x.size()
                    + " elements) to " + shape + (shape == null ? "" : " (" + shape.size() + " elements)"));
        }
        return copyAs(tx, shape);
    }

    @Override
    public final Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB) {
        T ta = own("matmul", "a", a), tb = own("matmul", "b", b);
        return doMatmul(ta, tb, MatmulDims.of(a.shape(), transA, b.shape(), transB));
    }

    @Override
    public final Tensor conv2d(Tensor input, Tensor filter, ConvSpec spec) {
        T ti = own("conv2d", "input", input), tf = own("conv2d", "filter", filter);
        return doConv2d(ti, tf, Conv2dGeometry.of("conv2d", input.shape(), filter.shape(), checkSpec("conv2d", spec)));
    }

    @Override
    public final Tensor conv2dBackwardInput(Tensor gradOutput, Tensor filter, Shape inputShape, ConvSpec spec) {
        String op = "conv2dBackwardInput";
        T tg = own(op, "gradOutput", gradOutput), tf = own(op, "filter", filter);
        if (inputShape == null) {
            throw new BackendException(op + ": inputShape must not be null");
        }
        Conv2dGeometry g = Conv2dGeometry.of(op, inputShape, filter.shape(), checkSpec(op, spec));
        checkGradOutput(op, g, gradOutput);
        return doConv2dBackwardInput(tg, tf, g);
    }

    @Override
    public final Tensor conv2dBackwardFilter(Tensor input, Tensor gradOutput, Shape filterShape, ConvSpec spec) {
        String op = "conv2dBackwardFilter";
        T ti = own(op, "input", input), tg = own(op, "gradOutput", gradOutput);
        if (filterShape == null) {
            throw new BackendException(op + ": filterShape must not be null");
        }
        Conv2dGeometry g = Conv2dGeometry.of(op, input.shape(), filterShape, checkSpec(op, spec));
        checkGradOutput(op, g, gradOutput);
        return doConv2dBackwardFilter(ti, tg, g);
    }

    @Override
    public final Tensor softmax(Tensor x) {
        T tx = own("softmax", "x", x);
        checkRankAtLeast("softmax", "x", x, 1);
        int cols = x.shape().dim(-1);
        return doSoftmax(tx, cols == 0 ? 0 : x.size() / cols, cols);
    }

    @Override
    public final Tensor softmaxBackward(Tensor y, Tensor gradY) {
        T ty = own("softmaxBackward", "y", y), tg = own("softmaxBackward", "gradY", gradY);
        checkRankAtLeast("softmaxBackward", "y", y, 1);
        checkSameShape("softmaxBackward", y, gradY);
        int cols = y.shape().dim(-1);
        return doSoftmaxBackward(ty, tg, cols == 0 ? 0 : y.size() / cols, cols);
    }

    @Override
    public final Tensor addBias(Tensor x, Tensor bias, int axis) {
        T tx = own("addBias", "x", x), tb = own("addBias", "bias", bias);
        int a = checkAxis("addBias", x, axis);
        if (bias.shape().rank() != 1 || bias.size() != x.shape().dim(a)) {
            throw new BackendException("addBias: bias" + bias.shape() + " must have rank 1 and length "
                    + x.shape().dim(a) + " to match axis " + axis + " of x" + x.shape());
        }
        Shape s = x.shape();
        return doAddBias(tx, tb, outer(s, a), s.dim(a), s.strideOf(a));
    }

    @Override
    public final Tensor sumToAxis(Tensor x, int axis) {
        T tx = own("sumToAxis", "x", x);
        int a = checkAxis("sumToAxis", x, axis);
        Shape s = x.shape();
        return doSumToAxis(tx, outer(s, a), s.dim(a), s.strideOf(a));
    }

    @Override
    public final Tensor relu(Tensor x) {
        return doRelu(own("relu", "x", x));
    }

    @Override
    public final Tensor reluBackward(Tensor x, Tensor gradY) {
        T tx = own("reluBackward", "x", x), tg = own("reluBackward", "gradY", gradY);
        checkSameShape("reluBackward", x, gradY);
        return doReluBackward(tx, tg);
    }

    @Override
    public final Tensor add(Tensor a, Tensor b) {
        T ta = own("add", "a", a), tb = own("add", "b", b);
        checkSameShape("add", a, b);
        return doAdd(ta, tb);
    }

    @Override
    public final Tensor mul(Tensor a, Tensor b) {
        T ta = own("mul", "a", a), tb = own("mul", "b", b);
        checkSameShape("mul", a, b);
        return doMul(ta, tb);
    }

    @Override
    public final Tensor scale(Tensor x, float alpha) {
        return doScale(own("scale", "x", x), alpha);
    }

    @Override
    public final Tensor sum(Tensor x) {
        return doSum(own("sum", "x", x));
    }

    @Override
    public final void axpy(float alpha, Tensor x, Tensor y) {
        T tx = own("axpy", "x", x), ty = own("axpy", "y", y);
        checkSameShape("axpy", x, y);
        doAxpy(alpha, tx, ty);
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

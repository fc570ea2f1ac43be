package dev.tensorbackend.cpu;

import dev.tensorbackend.api.AbstractBackend;
import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.MemoryStats;
import dev.tensorbackend.api.Shape;

/**
 * The pure-Java backend: tensors on the heap, ops computed by the fast paths ({@link Gemm},
 * {@link FastConv}, {@link FastOps}) on SIMD or scalar {@link FastKernels}, all threads from
 * one shared {@link CpuPool}. {@link ReferenceKernels} holds the plain loops these are tested
 * against.
 */
public final class CpuBackend extends AbstractBackend<CpuTensor> {
    public static final String NAME = "cpu";

    private final Gemm gemm;
    private final FastConv conv;
    private final FastOps ops;
    private long liveBytes;
    private long peakBytes;

    /** The JVM's kernels (Vector API where present) on the shared pool sized by {@code tensor.cpu.threads}. */
    public CpuBackend() {
        this(FastKernelSelection.kernels(), CpuPool.shared());
    }

    CpuBackend(FastKernels kernels, CpuPool pool) {
        super(CpuTensor.class);
        this.gemm = new Gemm(kernels, pool);
        this.conv = new FastConv(gemm);
        this.ops = new FastOps(kernels, pool);
    }

    /** "vector" or "scalar": which innermost loops this backend runs. */
    String kernelsName() {
        return gemm.kernels().name();
    }

    @Override
    public String name() {
        return NAME;
    }

    private CpuTensor tensor(Shape shape, float[] data) {
        liveBytes += (long) data.length * Float.BYTES;
        peakBytes = Math.max(peakBytes, liveBytes);
        return new CpuTensor(this, shape, data);
    }

    void released(CpuTensor t) {
        liveBytes -= (long) t.size() * Float.BYTES;
    }

    /**
     * Live bytes are the float arrays of tensors not yet closed (a tensor dropped without
     * closing counts until closed, even after the garbage collector took it); peak is the most
     * there ever were. The heap is no driver and this backend keeps no cache: cached bytes and
     * driver calls are always 0.
     */
    @Override
    public MemoryStats memoryStats() {
        return new MemoryStats(liveBytes, 0, peakBytes, 0, 0);
    }

    @Override
    protected CpuTensor allocate(Shape shape, float[] data) {
        return tensor(shape, data.clone());
    }

    @Override
    protected CpuTensor allocateZeros(Shape shape) {
        return tensor(shape, new float[shape.size()]);
    }

    @Override
    protected float[] read(CpuTensor t) {
        return t.data().clone();
    }

    @Override
    protected CpuTensor copyAs(CpuTensor x, Shape shape) {
        return tensor(shape, x.data().clone());
    }

    @Override
    protected CpuTensor doMatmul(CpuTensor a, CpuTensor b, MatmulDims dims) {
        return tensor(dims.outShape(), gemm.matmul(a.data(), b.data(), dims));
    }

    @Override
    protected CpuTensor doConv2d(CpuTensor input, CpuTensor filter, Conv2dGeometry g) {
        return tensor(g.outputShape(), conv.forward(input.data(), filter.data(), g));
    }

    @Override
    protected CpuTensor doConv2dBackwardInput(CpuTensor gradOutput, CpuTensor filter, Conv2dGeometry g) {
        return tensor(g.inputShape(), conv.backwardInput(gradOutput.data(), filter.data(), g));
    }

    @Override
    protected CpuTensor doConv2dBackwardFilter(CpuTensor input, CpuTensor gradOutput, Conv2dGeometry g) {
        return tensor(g.filterShape(), conv.backwardFilter(input.data(), gradOutput.data(), g));
    }

    @Override
    protected CpuTensor doSoftmax(CpuTensor x, int rows, int cols) {
        return tensor(x.shape(), ops.softmax(x.data(), rows, cols));
    }

    @Override
    protected CpuTensor doSoftmaxBackward(CpuTensor y, CpuTensor gradY, int rows, int cols) {
        return tensor(y.shape(), ops.softmaxBackward(y.data(), gradY.data(), rows, cols));
    }

    @Override
    protected CpuTensor doAddBias(CpuTensor x, CpuTensor bias, int outer, int len, int inner) {
        return tensor(x.shape(), ops.addBias(x.data(), bias.data(), outer, len, inner));
    }

    @Override
    protected CpuTensor doSumToAxis(CpuTensor x, int outer, int len, int inner) {
        return tensor(Shape.of(len), ops.sumToAxis(x.data(), outer, len, inner));
    }

    @Override
    protected CpuTensor doRelu(CpuTensor x) {
        return tensor(x.shape(), ops.relu(x.data()));
    }

    @Override
    protected CpuTensor doReluBackward(CpuTensor x, CpuTensor gradY) {
        return tensor(x.shape(), ops.reluBackward(x.data(), gradY.data()));
    }

    @Override
    protected CpuTensor doAdd(CpuTensor a, CpuTensor b) {
        return tensor(a.shape(), ops.add(a.data(), b.data()));
    }

    @Override
    protected CpuTensor doMul(CpuTensor a, CpuTensor b) {
        return tensor(a.shape(), ops.mul(a.data(), b.data()));
    }

    @Override
    protected CpuTensor doScale(CpuTensor x, float alpha) {
        return tensor(x.shape(), ops.scale(x.data(), alpha));
    }

    @Override
    protected CpuTensor doSum(CpuTensor x) {
        return tensor(Shape.scalar(), new float[] {ops.sum(x.data())});
    }

    @Override
    protected void doAxpy(float alpha, CpuTensor x, CpuTensor y) {
        ops.axpy(alpha, x.data(), y.data());
    }

    @Override
    public void synchronize() {
        // every op has finished when it returns
    }

    @Override
    public void close() {
        // heap tensors need nothing released
    }
}

package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.Shape;

/**
 * The pure-Java backend: tensors on the heap, ops computed by the fast paths ({@link Gemm},
 * {@link FastConv}, {@link FastOps}) on SIMD or scalar {@link FastKernels}, all threads from
 * one shared {@link CpuPool}. {@link ReferenceKernels} holds the plain loops these are tested
 * against.
 */
public final class CpuBackend extends HeapBackend {
    public static final String NAME = "cpu";

    private final ArrayCache cache;
    private final Gemm gemm;
    private final FastConv conv;
    private final FastOps ops;

    /** The JVM's kernels (Vector API where present) on the shared pool sized by {@code tensor.cpu.threads}. */
    public CpuBackend() {
        this(FastKernelSelection.kernels(), CpuPool.shared());
    }

    CpuBackend(FastKernels kernels, CpuPool pool) {
        this(kernels, pool, Scratch.DEFAULT_CAP_FLOATS);
    }

    /** Convolution scratch up to {@code scratchCapFloats} per thread and kind is kept between calls. */
    CpuBackend(FastKernels kernels, CpuPool pool, int scratchCapFloats) {
        this(kernels, pool, scratchCapFloats, new ArrayCache(ArrayCache.defaultCapBytes(), pool));
    }

    /** Results get their arrays from {@code cache}, which keeps closed tensors' arrays for the next results of their length. */
    CpuBackend(FastKernels kernels, CpuPool pool, int scratchCapFloats, ArrayCache cache) {
        this.cache = cache;
        this.gemm = new Gemm(kernels, pool, cache);
        this.conv = new FastConv(gemm, scratchCapFloats, cache);
        this.ops = new FastOps(kernels, pool, cache);
    }

    /** "vector" or "scalar": which innermost loops this backend runs. */
    String kernelsName() {
        return gemm.kernels().name();
    }

    /**
     * The innermost loops in one line, e.g. "vector, 512-bit (16 lanes), 8x32 micro-tile, 6x64 for A
     * read in place": what a benchmark report must say, since the width depends on the CPU and
     * on {@code tensor.cpu.vectorBits}.
     */
    public String kernels() {
        return gemm.kernels().describe();
    }

    @Override
    public String name() {
        return NAME;
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
        float[] total = arrays().uninitialized(1);
        total[0] = ops.sum(x.data());
        return tensor(Shape.scalar(), total);
    }

    @Override
    protected void doAxpy(float alpha, CpuTensor x, CpuTensor y) {
        ops.axpy(alpha, x.data(), writable(y));
    }

    /** Bytes of scratch (GEMM packing, image copies, patch gradients) this backend keeps between calls now. */
    long retainedScratchBytes() {
        return gemm.retainedScratchBytes() + conv.retainedScratchBytes();
    }

    /** Heap tensors were closed by AbstractBackend (their arrays went to the cache); what is left is kept memory. */
    @Override
    protected void doClose() {
        gemm.releaseScratch();
        conv.releaseScratch();
        cache.clear();
    }

    /**
     * Lets the garbage collector have the arrays of closed tensors kept for reuse (as
     * {@code CudaBackend.trimCache()} returns cached device memory); {@link #memoryStats()}
     * reports them as cached bytes.
     */
    public void trimCache() {
        cache.clear();
    }

    @Override
    OutputArrays arrays() {
        return cache;
    }

    @Override
    void recycle(float[] data) {
        cache.give(data);
    }

    @Override
    long cachedBytes() {
        return cache.cachedBytes();
    }
}

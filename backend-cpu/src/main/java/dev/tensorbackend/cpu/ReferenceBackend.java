package dev.tensorbackend.cpu;

import dev.tensorbackend.api.Conv2dGeometry;
import dev.tensorbackend.api.MatmulDims;
import dev.tensorbackend.api.Shape;

/**
 * The {@code reference} backend: every op is one of {@link ReferenceKernels}' plain loops,
 * on the calling thread, summing in double. Slow and obviously correct; select it with
 * {@code -Dtensor.backend=reference} to check a result, or as the shadow of another backend
 * ({@code -Dtensor.shadow=reference}). {@code auto} never picks it.
 */
public final class ReferenceBackend extends HeapBackend {
    public static final String NAME = "reference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected CpuTensor doMatmul(CpuTensor a, CpuTensor b, MatmulDims dims) {
        return tensor(dims.outShape(), ReferenceKernels.matmul(a.data(), b.data(), dims));
    }

    @Override
    protected CpuTensor doConv2d(CpuTensor input, CpuTensor filter, Conv2dGeometry g) {
        return tensor(g.outputShape(), ReferenceKernels.conv2d(input.data(), filter.data(), g));
    }

    @Override
    protected CpuTensor doConv2dBackwardInput(CpuTensor gradOutput, CpuTensor filter, Conv2dGeometry g) {
        return tensor(g.inputShape(), ReferenceKernels.conv2dGradInput(gradOutput.data(), filter.data(), g));
    }

    @Override
    protected CpuTensor doConv2dBackwardFilter(CpuTensor input, CpuTensor gradOutput, Conv2dGeometry g) {
        return tensor(g.filterShape(), ReferenceKernels.conv2dGradFilter(input.data(), gradOutput.data(), g));
    }

    @Override
    protected CpuTensor doSoftmax(CpuTensor x, int rows, int cols) {
        return tensor(x.shape(), ReferenceKernels.softmax(x.data(), rows, cols));
    }

    @Override
    protected CpuTensor doSoftmaxBackward(CpuTensor y, CpuTensor gradY, int rows, int cols) {
        return tensor(y.shape(), ReferenceKernels.softmaxBackward(y.data(), gradY.data(), rows, cols));
    }

    @Override
    protected CpuTensor doAddBias(CpuTensor x, CpuTensor bias, int outer, int len, int inner) {
        return tensor(x.shape(), ReferenceKernels.addBias(x.data(), bias.data(), outer, len, inner));
    }

    @Override
    protected CpuTensor doSumToAxis(CpuTensor x, int outer, int len, int inner) {
        return tensor(Shape.of(len), ReferenceKernels.sumToAxis(x.data(), outer, len, inner));
    }

    @Override
    protected CpuTensor doRelu(CpuTensor x) {
        return tensor(x.shape(), ReferenceKernels.relu(x.data()));
    }

    @Override
    protected CpuTensor doReluBackward(CpuTensor x, CpuTensor gradY) {
        return tensor(x.shape(), ReferenceKernels.reluBackward(x.data(), gradY.data()));
    }

    @Override
    protected CpuTensor doAdd(CpuTensor a, CpuTensor b) {
        return tensor(a.shape(), ReferenceKernels.add(a.data(), b.data()));
    }

    @Override
    protected CpuTensor doMul(CpuTensor a, CpuTensor b) {
        return tensor(a.shape(), ReferenceKernels.mul(a.data(), b.data()));
    }

    @Override
    protected CpuTensor doScale(CpuTensor x, float alpha) {
        return tensor(x.shape(), ReferenceKernels.scale(x.data(), alpha));
    }

    @Override
    protected CpuTensor doSum(CpuTensor x) {
        return tensor(Shape.scalar(), new float[] {ReferenceKernels.sum(x.data())});
    }

    @Override
    protected void doAxpy(float alpha, CpuTensor x, CpuTensor y) {
        ReferenceKernels.axpy(alpha, x.data(), writable(y));
    }

    @Override
    protected void doClose() {
        // heap tensors were closed by AbstractBackend; nothing else is held
    }
}

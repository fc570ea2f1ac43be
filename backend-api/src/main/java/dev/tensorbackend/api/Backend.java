package dev.tensorbackend.api;

import java.util.OptionalDouble;

/**
 * The ops a network needs, on float32 row-major tensors owned by this backend.
 *
 * <p>Every op checks its arguments and throws {@link BackendException} naming the op and
 * the shapes or values at fault. Ops return new tensors (the caller closes them) except
 * {@link #axpy}, which updates its last argument in place. Tensors of another backend, or
 * closed ones, are rejected. NaN and infinity are ordinary values: they propagate through
 * every op as IEEE arithmetic says, and no op hides or replaces them.
 *
 * <p>A backend may queue work (CUDA does); {@link #download} and {@link #synchronize} wait
 * for it.
 *
 * <p>Lifecycle, the same for every backend: after {@link #close()} every op, upload, download
 * and {@link #synchronize()} throws a {@link BackendException} naming the call; closing a
 * backend closes every tensor it made that is still open; closing twice does nothing.
 *
 * <p>Threads: a backend may be called from many threads at once. The {@code cpu} and
 * {@code reference} backends run such calls concurrently; the {@code cuda} backend runs them
 * one at a time (a lock around each call, the CUDA context made current for each). A
 * {@link Tensor} itself is not thread-safe: do not close a tensor while another thread uses it.
 */
public interface Backend extends AutoCloseable {

    /** The name users select it by, e.g. "cpu" or "cuda". */
    String name();

    // ---- data movement -------------------------------------------------------------------

    /** A new tensor holding a copy of {@code data} ({@code shape.size()} values, row-major). */
    Tensor upload(Shape shape, float[] data);

    /** A new tensor of zeros. */
    Tensor zeros(Shape shape);

    /** A copy of the tensor's contents, row-major. */
    float[] download(Tensor t);

    /** A new tensor with the same elements in the same order and another shape of equal size. */
    Tensor reshape(Tensor x, Shape shape);

    // ---- matrix multiply -----------------------------------------------------------------

    /**
     * {@code op(a) op(b)}, where op transposes the last two axes when its flag is set.
     * Operands have rank 2 or 3; see {@link MatmulDims} for batching.
     */
    Tensor matmul(Tensor a, boolean transA, Tensor b, boolean transB);

    default Tensor matmul(Tensor a, Tensor b) {
        return matmul(a, false, b, false);
    }

    // ---- 2-D convolution -----------------------------------------------------------------

    /** Cross-correlation of input {@code [n,c,h,w]} with filter {@code [k,c,r,s]}; see {@link Conv2dGeometry}. */
    Tensor conv2d(Tensor input, Tensor filter, ConvSpec spec);

    /** Gradient of the loss with respect to the convolution's input, of shape {@code inputShape}. */
    Tensor conv2dBackwardInput(Tensor gradOutput, Tensor filter, Shape inputShape, ConvSpec spec);

    /** Gradient of the loss with respect to the convolution's filter, of shape {@code filterShape}. */
    Tensor conv2dBackwardFilter(Tensor input, Tensor gradOutput, Shape filterShape, ConvSpec spec);

    // ---- softmax -------------------------------------------------------------------------

    /** Softmax over the last axis: each row of {@code x.shape().dim(-1)} values sums to 1. */
    Tensor softmax(Tensor x);

    /**
     * Gradient with respect to the softmax input, given its output {@code y} and the
     * gradient {@code gradY} with respect to that output:
     * {@code dx = y * (dy - sum(dy * y))} per row.
     */
    Tensor softmaxBackward(Tensor y, Tensor gradY);

    // ---- element-wise and reductions -----------------------------------------------------

    /** {@code x + bias} with {@code bias} (rank 1, length {@code x.dim(axis)}) broadcast over every other axis. */
    Tensor addBias(Tensor x, Tensor bias, int axis);

    /** Sum over every axis but {@code axis}: the gradient of {@link #addBias} with respect to its bias. */
    Tensor sumToAxis(Tensor x, int axis);

    /** {@code max(x, 0)}; NaN stays NaN. */
    Tensor relu(Tensor x);

    /** {@code gradY} where {@code x > 0}, NaN where {@code x} is NaN, else 0, given the ReLU's input {@code x}. */
    Tensor reluBackward(Tensor x, Tensor gradY);

    /** Element-wise {@code a + b}; equal shapes. */
    Tensor add(Tensor a, Tensor b);

    /** Element-wise {@code a * b}; equal shapes. */
    Tensor mul(Tensor a, Tensor b);

    /** {@code alpha * x}. */
    Tensor scale(Tensor x, float alpha);

    /** The sum of every element, as a scalar (rank-0) tensor. */
    Tensor sum(Tensor x);

    /** In place: {@code y += alpha * x}; equal shapes. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** One plain SGD step in place: {@code param -= learningRate * grad}. */
    default void sgdUpdate(Tensor param, Tensor grad, float learningRate) {
        axpy(-learningRate, grad, param);
    }

    /** Waits until all queued work is done; a backend that queues nothing returns at once. Throws once closed. */
    void synchronize();

    /**
     * Runs {@code work} (calls on this backend), waits for what it queued, and returns the time
     * the device took for it by the device's own clock, in milliseconds: on CUDA the time between
     * two events recorded on the backend's stream before and after the work, so host-side launch
     * and wait overheads are left out (what {@code torch.cuda.Event} measures). Empty for a
     * backend without a device clock (the CPU ones, or a device that cannot time itself), which
     * still runs the work and waits for it. Throws once closed.
     */
    OptionalDouble deviceMillis(Runnable work);

    /**
     * Memory held for this backend's tensors now, its peak, and how often it called a device
     * driver to allocate or free; see {@link MemoryStats} for what each backend counts.
     */
    MemoryStats memoryStats();

    /** Closes every tensor still open and releases the backend's own resources; a second call does nothing. */
    @Override
    void close();
}
